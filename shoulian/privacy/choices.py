from django.db import models


class IdType(models.TextChoices):
    """Identity documents accepted at the desk. ``OTHER`` keeps intake open for any document the
    list misses: the center may never refuse a report because a form field is too strict."""

    RESIDENT_ID = "resident_id", "居民身份证"
    HMT_RESIDENCE_PERMIT = "hmt_residence_permit", "港澳台居民居住证"
    PASSPORT = "passport", "护照"
    HK_MACAO_PERMIT = "hk_macao_permit", "港澳居民来往内地通行证"
    TAIWAN_PERMIT = "taiwan_permit", "台湾居民来往大陆通行证"
    FOREIGN_PERMANENT_RESIDENT = "foreign_permanent_resident", "外国人永久居留身份证"
    OTHER = "other", "其他"


class Kind(models.TextChoices):
    """What a personal field holds; decides its masking rule and its blind-index normalisation."""

    ID_NUMBER = "id_number", "证件号码"
    PHONE = "phone", "电话号码"
    NAME = "name", "姓名"
    ADDRESS = "address", "地址"
    BIRTH_DATE = "birth_date", "出生日期"
    EMAIL = "email", "电子邮箱"
    PLATE = "plate", "车牌号码"
    NETWORK_ADDRESS = "network_address", "网络地址"
    ACCOUNT = "account", "账号"
    FREE_TEXT = "free_text", "自由文本"


class Storage(models.TextChoices):
    ENCRYPTED = "encrypted", "加密存储"
    HASHED = "hashed", "仅存带密钥散列（检索索引）"
    MASKED = "masked", "明文存储、脱敏展示"
    PLAIN = "plain", "明文存储、明文展示（须说明理由）"


class Channel(models.TextChoices):
    STAFF_WEB = "staff_web", "工作人员页面"
    EXPORT = "export", "导出"
    CITIZEN_QUERY = "citizen_query", "群众查询"
    SMS = "sms", "短信"


class Display(models.TextChoices):
    MASKED = "masked", "脱敏显示"
    HIDDEN = "hidden", "不显示"
