# Reference fits of the published trust "Model 3" on data simulated by socint.models.simulate.
#
# Usage: Rscript tests/reference/glmm_model3.R <data.csv> <out.json> [glmmTMB,glmer1,glmer0]
# Called by tests/reference/make_glmm_model3.py, which writes the CSV (from a seed) and merges
# this script's JSON output into tests/reference/glmm_model3.json. Needs R with lme4, glmmTMB,
# jsonlite (Debian: apt-get install r-cran-lme4 r-cran-glmmtmb).
suppressPackageStartupMessages({
  library(lme4)
  library(glmmTMB)
  library(jsonlite)
})
args <- commandArgs(trailingOnly = TRUE)
csv <- args[[1]]
out <- args[[2]]
which <- if (length(args) >= 3) strsplit(args[[3]], ",")[[1]] else c("glmmTMB", "glmer1", "glmer0")

d <- read.csv(csv, stringsAsFactors = FALSE)
d$ethnicity <- relevel(factor(d$ethnicity), ref = "White")
d$nssec <- relevel(factor(d$nssec), ref = "Managerial")
d$wb_change <- relevel(factor(d$wb_change), ref = "<-5%")
d$la <- factor(d$la)
d$msoa <- factor(d$msoa)

f <- trust ~ female + year_2010 + age + income + I(income^2) + ethnicity + married + years5 +
  nssec + div_decile * poor_english + family_pct + income_decile + crime_decile + pct65 +
  rural + wb_change + (1 | la) + (1 | msoa)

# R coefficient names -> socint's published term names
canon <- function(n) {
  n <- sub("^\\(Intercept\\)$", "Intercept", n)
  n <- sub("^I\\(income\\^2\\)$", "income_sq", n)
  for (v in c("ethnicity", "nssec", "wb_change")) {
    hit <- startsWith(n, v) & !grepl(":", n)
    n[hit] <- paste0(v, "[", substring(n[hit], nchar(v) + 1), "]")
  }
  n
}

res <- list(
  tools = list(R = R.version.string, lme4 = as.character(packageVersion("lme4")),
               glmmTMB = as.character(packageVersion("glmmTMB")),
               TMB = as.character(packageVersion("TMB")),
               Matrix = as.character(packageVersion("Matrix"))),
  nobs = nrow(d), n_msoa = nlevels(d$msoa), n_la = nlevels(d$la)
)

if ("glmmTMB" %in% which) {
  t <- system.time(m <- glmmTMB(f, data = d, family = binomial))[["elapsed"]]
  fe <- fixef(m)$cond
  vc <- VarCorr(m)$cond
  res$glmmTMB <- list(
    seconds = t, loglik = as.numeric(logLik(m)),
    fixef = as.list(setNames(unname(fe), canon(names(fe)))),
    se = as.list(setNames(unname(sqrt(diag(vcov(m)$cond))), canon(names(fe)))),
    variances = list(la = vc$la[1, 1], msoa = vc$msoa[1, 1]),
    converged = m$fit$convergence == 0, pdHess = m$sdr$pdHess
  )
}
if ("glmer1" %in% which) {
  t <- system.time(m <- glmer(f, data = d, family = binomial, nAGQ = 1))[["elapsed"]]
  fe <- fixef(m)
  vc <- VarCorr(m)
  msgs <- m@optinfo$conv$lme4$messages
  res$glmer_nagq1 <- list(
    seconds = t, loglik = as.numeric(logLik(m)),
    fixef = as.list(setNames(unname(fe), canon(names(fe)))),
    variances = list(la = vc$la[1, 1], msoa = vc$msoa[1, 1]),
    convergence_messages = if (is.null(msgs)) list() else as.list(msgs)
  )
}
if ("glmer0" %in% which) {
  t <- system.time(m <- glmer(f, data = d, family = binomial, nAGQ = 0))[["elapsed"]]
  fe <- fixef(m)
  vc <- VarCorr(m)
  res$glmer_nagq0 <- list(
    seconds = t, loglik = as.numeric(logLik(m)),
    fixef = as.list(setNames(unname(fe), canon(names(fe)))),
    variances = list(la = vc$la[1, 1], msoa = vc$msoa[1, 1])
  )
}
write_json(res, out, auto_unbox = TRUE, digits = NA, pretty = TRUE)
