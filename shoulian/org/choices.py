from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    CITY_BUREAU = "city_bureau", _("市局")
    BUREAU = "bureau", _("分局/县局")
    CENTER = "center", _("受立案管理中心")
    LEGAL_BRIGADE = "legal_brigade", _("法制大队")
    CRIMINAL_BRIGADE = "criminal_brigade", _("刑侦大队")
    ECONOMIC_BRIGADE = "economic_brigade", _("经侦大队")
    PUBLIC_ORDER_BRIGADE = "public_order_brigade", _("治安大队")
    STATION = "station", _("派出所")
    OTHER = "other", _("其他所队")
    DISCIPLINE = "discipline", _("纪检监察室")
    COMMAND = "command", _("指挥中心")


# Which kinds may sit under which parent kind; the tree never holds a 派出所 under a 派出所.
ALLOWED_CHILDREN: dict[str, set[str]] = {
    UnitKind.CITY_BUREAU: {UnitKind.BUREAU, UnitKind.COMMAND, UnitKind.DISCIPLINE, UnitKind.OTHER},
    UnitKind.BUREAU: {
        UnitKind.CENTER,
        UnitKind.LEGAL_BRIGADE,
        UnitKind.CRIMINAL_BRIGADE,
        UnitKind.ECONOMIC_BRIGADE,
        UnitKind.PUBLIC_ORDER_BRIGADE,
        UnitKind.STATION,
        UnitKind.DISCIPLINE,
        UnitKind.COMMAND,
        UnitKind.OTHER,
    },
}
