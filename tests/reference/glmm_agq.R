# glmer adaptive Gauss-Hermite quadrature (nAGQ = 1, 7, 15) on lme4's cbpp and simulated data.
# Usage: Rscript tests/reference/glmm_agq.R <one_factor.csv> <out.json>
# Simulated data from socint.models.simulate.simulate_one_factor (seed in the fixture); driver:
# tests/reference/make_glmm_agq.py. glmmTMB has no AGQ, so glmer is the only reference.
suppressPackageStartupMessages({
  library(lme4)
  library(jsonlite)
})
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[[1]], stringsAsFactors = TRUE)
fits <- function(f, data, nm) {
  out <- list()
  for (q in c(1, 7, 15)) {
    t0 <- proc.time()[["elapsed"]]
    g <- glmer(f, data = data, family = binomial, nAGQ = q)
    t1 <- proc.time()[["elapsed"]]
    out[[paste0("nagq", q)]] <- list(
      loglik = as.numeric(logLik(g)),
      fixef = as.list(setNames(unname(fixef(g)), nm)),
      se = as.list(setNames(unname(sqrt(diag(as.matrix(vcov(g))))), nm)),
      variance = as.numeric(VarCorr(g)[[1]][1, 1]),
      messages = as.list(c(g@optinfo$conv$lme4$messages, "")), seconds = t1 - t0)
  }
  out
}
res <- list(
  tools = list(R = R.version.string, lme4 = as.character(packageVersion("lme4"))),
  cbpp = fits(cbind(incidence, size - incidence) ~ period + (1 | herd), cbpp,
              c("Intercept", "period2", "period3", "period4")),
  one_factor = fits(y ~ x + (1 | g), d, c("Intercept", "x"))
)
write_json(res, args[[2]], auto_unbox = TRUE, digits = NA, pretty = TRUE)
