# Timing worker for benchmarks/bench_glmm.py: fit the published Model 3 (or, with a 5th
# argument, any formula: the small cases) with one R tool.
# Usage: Rscript benchmarks/bench_glmm.R <data.csv> <glmer0|glmer1|glmmTMB> <repeats> <out.json>
#        [formula]
suppressPackageStartupMessages({
  library(lme4)
  library(glmmTMB)
  library(jsonlite)
})
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[[1]], stringsAsFactors = FALSE)
method <- args[[2]]
repeats <- as.integer(args[[3]])
if (length(args) >= 5) {
  f <- as.formula(args[[5]])
  for (v in c("g", "herd", "obs", "school", "area")) if (v %in% names(d)) d[[v]] <- factor(d[[v]])
  secs <- numeric(0)
  for (i in seq_len(repeats)) {
    t <- system.time({
      m <- switch(method,
        glmer0 = glmer(f, data = d, family = binomial, nAGQ = 0),
        glmer1 = glmer(f, data = d, family = binomial),
        glmmTMB = glmmTMB(f, data = d, family = binomial))
    })[["elapsed"]]
    secs <- c(secs, t)
  }
  conv <- if (method == "glmmTMB") m$fit$convergence == 0 && isTRUE(m$sdr$pdHess) else
    is.null(m@optinfo$conv$lme4$messages)
  write_json(list(seconds = secs, loglik = as.numeric(logLik(m)), fixef = list(),
                  converged = conv), args[[4]], auto_unbox = TRUE, digits = NA)
  quit(save = "no")
}
d$ethnicity <- relevel(factor(d$ethnicity), ref = "White")
d$nssec <- relevel(factor(d$nssec), ref = "Managerial")
d$wb_change <- relevel(factor(d$wb_change), ref = "<-5%")
d$la <- factor(d$la)
d$msoa <- factor(d$msoa)
f <- trust ~ female + year_2010 + age + income + I(income^2) + ethnicity + married + years5 +
  nssec + div_decile * poor_english + family_pct + income_decile + crime_decile + pct65 +
  rural + wb_change + (1 | la) + (1 | msoa)
canon <- function(n) {
  n <- sub("^\\(Intercept\\)$", "Intercept", n)
  n <- sub("^I\\(income\\^2\\)$", "income_sq", n)
  for (v in c("ethnicity", "nssec", "wb_change")) {
    hit <- startsWith(n, v) & !grepl(":", n)
    n[hit] <- paste0(v, "[", substring(n[hit], nchar(v) + 1), "]")
  }
  n
}
secs <- numeric(0)
for (i in seq_len(repeats)) {
  t <- system.time({
    m <- switch(method,
      glmer0 = glmer(f, data = d, family = binomial, nAGQ = 0),
      glmer1 = glmer(f, data = d, family = binomial, nAGQ = 1),
      glmmTMB = glmmTMB(f, data = d, family = binomial))
  })[["elapsed"]]
  secs <- c(secs, t)
}
if (method == "glmmTMB") {
  fe <- fixef(m)$cond
  vc <- VarCorr(m)$cond
  conv <- m$fit$convergence == 0 && isTRUE(m$sdr$pdHess)
} else {
  fe <- fixef(m)
  vc <- VarCorr(m)
  conv <- is.null(m@optinfo$conv$lme4$messages)
}
write_json(list(seconds = secs, loglik = as.numeric(logLik(m)),
                fixef = as.list(setNames(unname(fe), canon(names(fe)))),
                variances = list(la = vc$la[1, 1], msoa = vc$msoa[1, 1]), converged = conv),
           args[[4]], auto_unbox = TRUE, digits = NA)
