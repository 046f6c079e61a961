"""Shandong province's county-level divisions (GB/T 2260, as of 2021: 莱芜 is part
of 济南 since 2019, 长岛 of 蓬莱 since 2020): 16 cities, 136 districts, counties
and county-level cities, as data in shandong.json. otg takes them as its districts
when OTG_DISTRICTS_FILE names that file (shared/vocabulary.py)."""
import json
from pathlib import Path

FILE = Path(__file__).with_name("shandong.json")
CITIES = json.loads(FILE.read_text(encoding="utf-8"))
DISTRICTS = {code: name for city in CITIES.values() for code, name in city["districts"].items()}
