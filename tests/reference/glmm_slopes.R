# glmmTMB and glmer reference fits of random slopes: (x | g), (x || g), nested and crossed.
# Usage: Rscript tests/reference/glmm_slopes.R <dir with single.csv nested.csv crossed.csv> <out.json>
# Data from socint.models.simulate.simulate_slopes (seeds in the fixture); driver:
# tests/reference/make_glmm_slopes.py.
suppressPackageStartupMessages({
  library(lme4)
  library(glmmTMB)
  library(jsonlite)
})
args <- commandArgs(trailingOnly = TRUE)
rd <- function(name) read.csv(file.path(args[[1]], paste0(name, ".csv")), stringsAsFactors = TRUE)
cases <- list(
  single_corr = list(data = "single", lme4 = y ~ x + z + (x | g), tmb = y ~ x + z + (x | g)),
  single_diag = list(data = "single", lme4 = y ~ x + z + (x || g),
                     tmb = y ~ x + z + diag(1 + x | g)),
  nested_corr = list(data = "nested", lme4 = y ~ x + z + (x | la/msoa),
                     tmb = y ~ x + z + (x | la/msoa)),
  crossed = list(data = "crossed", lme4 = y ~ x + z + (x | school) + (1 | area),
                 tmb = y ~ x + z + (x | school) + (1 | area))
)
vc_list <- function(vc) {
  out <- list()
  for (nm in names(vc)) {
    s <- vc[[nm]]
    sds <- attr(s, "stddev")
    if (is.null(sds)) sds <- sqrt(diag(s))
    out[[nm]] <- list(sd = as.list(sds))
    cr <- attr(s, "correlation")
    if (!is.null(cr) && nrow(cr) > 1) out[[nm]]$cor <- cr[1, 2]
  }
  out
}
res <- list(tools = list(R = R.version.string, lme4 = as.character(packageVersion("lme4")),
                         glmmTMB = as.character(packageVersion("glmmTMB"))))
for (cn in names(cases)) {
  cs <- cases[[cn]]
  d <- rd(cs$data)
  t0 <- proc.time()[["elapsed"]]
  m <- glmmTMB(cs$tmb, data = d, family = binomial)
  t1 <- proc.time()[["elapsed"]]
  g <- glmer(cs$lme4, data = d, family = binomial)
  t2 <- proc.time()[["elapsed"]]
  fe <- fixef(m)$cond
  names(fe)[1] <- "Intercept"
  sf <- summary(m$sdr, "fixed")
  th <- sf[rownames(sf) == "theta", , drop = FALSE]
  re1 <- ranef(m, condVar = TRUE)$cond[[1]]
  pv <- attr(re1, "condVar")
  if (is.list(pv)) pv <- pv[[1]]
  k <- min(5, nrow(re1))
  fac1 <- names(ranef(m)$cond)[1]
  rg <- as.data.frame(ranef(g, condVar = TRUE))
  rg <- rg[sub("\\.[0-9]+$", "", rg$grpvar) == fac1, ]
  glmer_re <- function(col, term) {
    r <- rg[rg$term == term, ]
    r[[col]][match(rownames(re1)[1:k], r$grp)]
  }
  res[[cn]] <- list(
    ranef_first = list(factor = names(ranef(m)$cond)[1], levels = rownames(re1)[1:k],
                       tmb_mode = lapply(seq_len(ncol(re1)), function(j) re1[1:k, j]),
                       tmb_condvar = lapply(seq_len(ncol(re1)), function(j)
                         if (length(dim(pv)) == 3) pv[j, j, 1:k] else pv[1:k]),
                       glmer_mode = lapply(c("(Intercept)", "x"), function(t)
                         glmer_re("condval", t)),
                       glmer_condvar = lapply(c("(Intercept)", "x"), function(t)
                         glmer_re("condsd", t)^2)),
    glmmTMB = list(loglik = as.numeric(logLik(m)), fixef = as.list(fe),
                   se = as.list(setNames(sqrt(diag(vcov(m)$cond)), names(fe))),
                   varcorr = vc_list(VarCorr(m)$cond), pdHess = m$sdr$pdHess,
                   theta = unname(th[, 1]), theta_se = unname(th[, 2]),
                   convergence = m$fit$convergence, seconds = t1 - t0),
    glmer = list(loglik = as.numeric(logLik(g)),
                 fixef = as.list(setNames(unname(fixef(g)), names(fe))),
                 se = as.list(setNames(unname(sqrt(diag(as.matrix(vcov(g))))), names(fe))),
                 varcorr = vc_list(VarCorr(g)),
                 messages = as.list(c(g@optinfo$conv$lme4$messages, "")), seconds = t2 - t1)
  )
}
write_json(res, args[[2]], auto_unbox = TRUE, digits = NA, pretty = TRUE)
