# glmmTMB reference fit of a large crossed design (60,000 pupils, 6,000 schools x 300 areas:
# 6,300 random effects, more than socint's dense path accepts).
# Usage: Rscript tests/reference/glmm_crossed_large.R <data.csv> <out.json>
# Data from socint.models.simulate.simulate_crossed (sizes and seed in the fixture); driver:
# tests/reference/make_glmm_crossed_large.py.
suppressPackageStartupMessages({
  library(glmmTMB)
  library(jsonlite)
})
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[[1]], stringsAsFactors = TRUE)
f <- y ~ x + girl + (1 | school) + (1 | area)
secs <- system.time(m <- glmmTMB(f, data = d, family = binomial))[["elapsed"]]
fe <- fixef(m)$cond
names(fe)[1] <- "Intercept"
res <- list(
  tools = list(R = R.version.string, glmmTMB = as.character(packageVersion("glmmTMB"))),
  glmmTMB = list(loglik = as.numeric(logLik(m)), fixef = as.list(fe),
                 se = as.list(setNames(sqrt(diag(vcov(m)$cond)), names(fe))),
                 variances = list(school = VarCorr(m)$cond$school[1, 1],
                                  area = VarCorr(m)$cond$area[1, 1]),
                 seconds = secs)
)
write_json(res, args[[2]], auto_unbox = TRUE, digits = NA, pretty = TRUE)
