# A moment of the last days or the next ones, where the year goes without saying: "24.11. 20:13".
DAY_TIME_FORMAT = "d.m. H:i"
DAY_TIME_SECONDS_FORMAT = "d.m. H:i:s"
WEEKDAY_DAY_TIME_FORMAT = "D d.m. H:i"
