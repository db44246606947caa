# glmmTMB and glmer reference fits of crossed random intercepts (pupils in schools × areas).
# Usage: Rscript tests/reference/glmm_crossed.R <data.csv> <out.json>
# Data from socint.models.simulate.simulate_crossed (seed in the fixture); driver:
# tests/reference/make_glmm_crossed.py.
suppressPackageStartupMessages({
  library(lme4)
  library(glmmTMB)
  library(jsonlite)
})
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[[1]], stringsAsFactors = TRUE)
f <- y ~ x + girl + (1 | school) + (1 | area)
m <- glmmTMB(f, data = d, family = binomial)
g <- glmer(f, data = d, family = binomial)
fe <- fixef(m)$cond
names(fe)[1] <- "Intercept"
res <- list(
  tools = list(R = R.version.string, lme4 = as.character(packageVersion("lme4")),
               glmmTMB = as.character(packageVersion("glmmTMB"))),
  glmmTMB = list(loglik = as.numeric(logLik(m)), fixef = as.list(fe),
                 se = as.list(setNames(sqrt(diag(vcov(m)$cond)), names(fe))),
                 variances = list(school = VarCorr(m)$cond$school[1, 1],
                                  area = VarCorr(m)$cond$area[1, 1])),
  glmer = list(loglik = as.numeric(logLik(g)),
               fixef = as.list(setNames(unname(fixef(g)), names(fe))),
               variances = list(school = VarCorr(g)$school[1, 1], area = VarCorr(g)$area[1, 1]))
)
write_json(res, args[[2]], auto_unbox = TRUE, digits = NA, pretty = TRUE)
