# rmweather reference run for benchmarks/compare_rmweather.py (not part of geoair; needs R).
#
# Usage: Rscript normalise.R <input.csv> <output_prefix> <seed> <n_samples> <n_cores> [variables]
#   input.csv: date (UTC, "YYYY-MM-DD HH:MM:SS"), value, and the predictor columns.
#   Writes <output_prefix>_normalised.csv (date, value_predict: hourly normalised series) and
#   <output_prefix>_stats.csv (seed, timings, OOB and test-set skill).
# rmweather's defaults throughout: rmw_prepare_data (random 80/20 split, median imputation of
# predictors, na.rm = TRUE for the response), rmw_train_model (ranger, 300 trees,
# mtry = floor(sqrt(p)), min.node.size = 5), rmw_normalise (all predictors but date_unix
# resampled from the whole record, one index vector per draw, mean of n_samples draws).
suppressPackageStartupMessages({
  library(rmweather)
  library(dplyr)
  library(readr)
})

args <- commandArgs(trailingOnly = TRUE)
input <- args[1]
prefix <- args[2]
seed <- as.integer(args[3])
n_samples <- as.integer(args[4])
n_cores <- as.integer(args[5])
variables <- if (length(args) >= 6) strsplit(args[6], ",")[[1]] else
  c("date_unix", "day_julian", "weekday", "hour", "ws", "wd", "temp", "rh", "pres")

df <- read_csv(input, show_col_types = FALSE, col_types = cols(date = col_character()))
df$date <- as.POSIXct(df$date, format = "%Y-%m-%d %H:%M:%S", tz = "UTC")

set.seed(seed)
t0 <- Sys.time()
prepared <- rmw_prepare_data(df, value = "value", na.rm = TRUE)
model <- rmw_train_model(prepared, variables = variables, n_trees = 300, n_cores = n_cores)
t1 <- Sys.time()
normalised <- rmw_normalise(model, prepared, n_samples = n_samples, n_cores = n_cores)
t2 <- Sys.time()

testing <- filter(prepared, set == "testing")
pred <- rmw_predict(model, testing, n_cores = n_cores)
r2_test <- 1 - sum((pred - testing$value)^2) / sum((testing$value - mean(testing$value))^2)
stats <- tibble(
  seed = seed, n_samples = n_samples, n_cores = n_cores,
  rmweather_version = as.character(packageVersion("rmweather")),
  ranger_version = as.character(packageVersion("ranger")),
  train_s = as.numeric(difftime(t1, t0, units = "secs")),
  normalise_s = as.numeric(difftime(t2, t1, units = "secs")),
  r2_oob = model$r.squared, r2_test_random_split = r2_test,
  n_rows = nrow(prepared)
)
write_csv(transmute(normalised, date = format(date, "%Y-%m-%d %H:%M:%S"), value_predict),
          paste0(prefix, "_normalised.csv"))
write_csv(stats, paste0(prefix, "_stats.csv"))
