# A moment of the last days or the next ones, where the year goes without saying: "Nov 24, 20:13".
DAY_TIME_FORMAT = "M j, H:i"
DAY_TIME_SECONDS_FORMAT = "M j, H:i:s"
WEEKDAY_DAY_TIME_FORMAT = "D M j, H:i"
# The app writes times on the 24-hour clock in English too (Django's default is "11/24/2026 8:13 p.m.").
SHORT_DATETIME_FORMAT = "m/d/Y H:i"
# Django's English defaults ("Nov. 24, 2026, 8:13 p.m.", "8:13 p.m.") show up in the admin's lists and
# on the saved quote: the same 24-hour clock and "Nov 24" as everywhere else.
DATE_FORMAT = "M j, Y"
DATETIME_FORMAT = "M j, Y, H:i"
TIME_FORMAT = "H:i"
