from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitType(models.TextChoices):
    PV = "pv", _("光伏")
    WIND = "wind", _("风电")
    HYDRO = "hydro", _("水电")
    BIOMASS = "biomass", _("生物质发电")
    WASTE_TO_ENERGY = "waste_to_energy", _("垃圾焚烧发电")
    STORAGE = "storage", _("储能")


#: what an import file may write in the type column besides the code (the Chinese labels and common names)
TYPE_ALIASES: dict[str, str] = {
    "光伏": "pv",
    "光伏发电": "pv",
    "太阳能": "pv",
    "太阳能发电": "pv",
    "分布式光伏": "pv",
    "集中式光伏": "pv",
    "风电": "wind",
    "风力发电": "wind",
    "水电": "hydro",
    "水力发电": "hydro",
    "小水电": "hydro",
    "生物质": "biomass",
    "生物质发电": "biomass",
    "垃圾焚烧发电": "waste_to_energy",
    "垃圾发电": "waste_to_energy",
    "垃圾焚烧": "waste_to_energy",
    "储能": "storage",
    "新型储能": "storage",
    "储能电站": "storage",
    "solar": "pv",
    "solar_pv": "pv",
    "waste-to-energy": "waste_to_energy",
}
