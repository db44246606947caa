# lme4's own cbpp reference fit (the numbers written into tests/models/test_cbpp.py).
# Usage: Rscript tests/reference/cbpp_lme4.R
# R 4.2.2, lme4 1.1.31, glmmTMB 1.1.5, TMB 1.9.2 gave the values in the test.
suppressPackageStartupMessages({
  library(lme4)
  library(glmmTMB)
})
g <- glmer(cbind(incidence, size - incidence) ~ period + (1 | herd), cbpp, binomial)
print(fixef(g), digits = 10)
print(logLik(g), digits = 10)
print(VarCorr(g)$herd[1], digits = 10)
print(sqrt(diag(as.matrix(vcov(g)))), digits = 10)
re <- ranef(g, condVar = TRUE)$herd
print(re[1:3, ], digits = 10)
print(attr(re, "postVar")[1, 1, 1:3], digits = 10)
g0 <- update(g, nAGQ = 0)
print(fixef(g0), digits = 10)
print(VarCorr(g0)$herd[1], digits = 10)
m <- glmmTMB(cbind(incidence, size - incidence) ~ period + (1 | herd), cbpp, family = binomial)
print(fixef(m)$cond, digits = 10)
print(logLik(m), digits = 10)
print(VarCorr(m)$cond$herd[1], digits = 10)
print(sqrt(diag(vcov(m, full = TRUE))), digits = 10)
