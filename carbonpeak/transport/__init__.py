"""Transport and gas (issue 20): the vehicle register and the clean share of new buses, charging sites and the
service areas' coverage, operating vehicles' intensity, gas coverage and storage days, coal and the no-coal
zones. Each year's figures feed the plan's targets when the year is approved (plan/feeds.py)."""
