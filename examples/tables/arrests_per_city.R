# Arrests per city per month, and sentences per court, from the tables of `kg export --tables`.
#
#   kg export --tables tables/
#   Rscript examples/tables/arrests_per_city.R tables/
#
# Reads datapackage.json with jsonlite to find each table and its column types, and the CSV
# files with base R. (The frictionless R package, which does this for you, is on CRAN:
# read_package("tables/datapackage.json"); this script needs only R and jsonlite, which
# Debian packages as r-base-core and r-cran-jsonlite.)

args <- commandArgs(trailingOnly = TRUE)
directory <- if (length(args) > 0) args[[1]] else "tables"
package <- jsonlite::fromJSON(file.path(directory, "datapackage.json"), simplifyVector = FALSE)

read_table <- function(name) {
  for (resource in package$resources) {
    if (identical(resource$name, name)) {
      types <- vapply(resource$schema$fields, function(f) f$type, "")
      classes <- c(integer = "integer", number = "numeric", boolean = "logical", date = "Date")
      colClasses <- ifelse(types %in% names(classes), classes[types], "character")
      names(colClasses) <- vapply(resource$schema$fields, function(f) f$name, "")
      return(read.csv(file.path(directory, resource$path), colClasses = colClasses,
                      na.strings = "", encoding = "UTF-8"))
    }
  }
  stop("no table ", name)
}

sentences <- read_table("sentences")
per_court <- aggregate(cbind(sentences = 1, sentenced_persons) ~ court_name,
                       data = sentences, FUN = sum)
per_court <- per_court[order(-per_court$sentences, -per_court$sentenced_persons), ]
cat("Sentences per court\n")
print(per_court, row.names = FALSE)

arrests <- read_table("arrests")
events <- read_table("events")
places <- read_table("event_places")
dated <- merge(arrests["id"], events[c("id", "date")], by = "id")
# the month is known where the source gives it: a date of the form 2020-10 or 2020-10-01
dated <- dated[grepl("^[0-9]{4}-[0-9]{2}", dated$date), ]
located <- merge(dated, places[places$property == "place", ], by.x = "id", by.y = "event")
if (nrow(located) > 0) {
  located$month <- substr(located$date, 1, 7)
  located$arrests <- 1
  per_city <- aggregate(arrests ~ town_name + month, data = located, FUN = sum)
  cat("\nArrests per city per month (arrests dated at least to the month)\n")
  print(per_city[order(per_city$month, per_city$town_name), ], row.names = FALSE)
} else {
  cat("\nArrests per city per month: no arrest is dated to the month yet\n")
}
