from django.db import models


class UnitKind(models.TextChoices):
    CITY_BUREAU = "city_bureau", "市局"
    BUREAU = "bureau", "分局/县局"
    CENTER = "center", "受立案管理中心"
    LEGAL_BRIGADE = "legal_brigade", "法制大队"
    CRIMINAL_BRIGADE = "criminal_brigade", "刑侦大队"
    ECONOMIC_BRIGADE = "economic_brigade", "经侦大队"
    PUBLIC_ORDER_BRIGADE = "public_order_brigade", "治安大队"
    STATION = "station", "派出所"
    OTHER = "other", "其他所队"
    DISCIPLINE = "discipline", "纪检监察室"
    COMMAND = "command", "指挥中心"


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
