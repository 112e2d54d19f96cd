/* Who and what started a run: the OS user, and the CI job when there is one. Read from
 * the process and its environment; the environment is the CI system's (or anyone's), so
 * what comes from it is hostile text: capped here, stored as text, escaped wherever it
 * is shown and never made a link unless it is a plain http(s) URL (origin_is_link). */
#ifndef VOUCH_ORIGIN_H
#define VOUCH_ORIGIN_H

#include <stdbool.h>

/* At most this many bytes of a CI job's URL or an environment-given name are kept. */
#define ORIGIN_MAX 512

/* The effective OS user's name ("uid 1000" when it has none), with the invoking user
 * when run through sudo: "root (sudo from alice)". Caller frees. */
char *origin_user(void);

/* The CI job's URL from the first CI system whose variables are set (GitHub Actions,
 * GitLab, Jenkins, CircleCI, Buildkite, Travis, Drone, Azure Pipelines), capped at
 * ORIGIN_MAX bytes with no control character; NULL outside CI. Caller frees. */
char *origin_ci_job(void);

/* Whether text is safe to show as a link: "https://" or "http://" followed only by
 * characters a URL needs (no quote, space, '<', '>' or control character). Anything else
 * ("javascript:...", markup) is shown as text. */
bool origin_is_link(const char *text);

#endif
