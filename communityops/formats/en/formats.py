# A moment of the last days or the next ones, where the year goes without saying: "Nov 24, 20:13".
DAY_TIME_FORMAT = "M j, H:i"
DAY_TIME_SECONDS_FORMAT = "M j, H:i:s"
WEEKDAY_DAY_TIME_FORMAT = "D M j, H:i"
# A day with its year, "Nov 24, 2026" (Django's "11/24/2026" beside "Nov 24" read as two styles on
# one page), and times on the 24-hour clock the app uses (Django's default "8:13 p.m.").
SHORT_DATE_FORMAT = "M j, Y"
SHORT_DATETIME_FORMAT = "M j, Y, H:i"
# Django's English defaults ("Nov. 24, 2026, 8:13 p.m.", "8:13 p.m.") show up in the admin's lists and
# on the saved quote: the same 24-hour clock and "Nov 24" as everywhere else.
DATE_FORMAT = "M j, Y"
DATETIME_FORMAT = "M j, Y, H:i"
TIME_FORMAT = "H:i"
