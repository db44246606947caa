# lme4 and glmmTMB reference fits of lme4's cbpp example with the PROBIT link.
# Usage: Rscript tests/reference/cbpp_probit.R tests/reference/cbpp_probit.json
# Note: glmer's Laplace deviance uses the expected (Fisher) weights in log|H| for a
# non-canonical link, glmmTMB (and socint) the observed Hessian: the two optima differ slightly.
suppressPackageStartupMessages({
  library(lme4)
  library(glmmTMB)
  library(jsonlite)
})
args <- commandArgs(trailingOnly = TRUE)
f <- cbind(incidence, size - incidence) ~ period + (1 | herd)
g <- glmer(f, cbpp, binomial(link = "probit"))
m <- glmmTMB(f, cbpp, family = binomial(link = "probit"))
fe_g <- fixef(g)
fe_m <- fixef(m)$cond
nm <- c("Intercept", "period2", "period3", "period4")
res <- list(
  tools = list(R = R.version.string, lme4 = as.character(packageVersion("lme4")),
               glmmTMB = as.character(packageVersion("glmmTMB"))),
  formula = "cbind(incidence, size - incidence) ~ period + (1 | herd), binomial(link = 'probit')",
  glmer = list(loglik = as.numeric(logLik(g)), fixef = as.list(setNames(unname(fe_g), nm)),
               se = as.list(setNames(unname(sqrt(diag(as.matrix(vcov(g))))), nm)),
               variance = VarCorr(g)$herd[1, 1]),
  glmmTMB = list(loglik = as.numeric(logLik(m)), fixef = as.list(setNames(unname(fe_m), nm)),
                 se = as.list(setNames(unname(sqrt(diag(vcov(m)$cond))), nm)),
                 variance = VarCorr(m)$cond$herd[1, 1])
)
write_json(res, args[[1]], auto_unbox = TRUE, digits = NA, pretty = TRUE)
