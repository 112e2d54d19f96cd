<?xml version="1.0" encoding="UTF-8"?>
<!--
  vouch report -> one self-contained HTML page.

  Everything the page needs is inside it: CSS in <style>, charts as inline SVG,
  system fonts only; no script, no external URL. It reads on a screen and prints
  to A4. Parameters: organisation (text for the heading; optional).

  This file holds the page, the gate report, the pieces every report uses and the
  CSS; html-drill.xsl and html-period.xsl the drill and compliance reports;
  html-charts.xsl the SVG charts.
-->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:v="urn:x-vouch:report"
                exclude-result-prefixes="v">

  <!-- the drill and compliance reports, and the charts all three draw -->
  <xsl:include href="common.xsl"/>
  <xsl:include href="html-charts.xsl"/>
  <xsl:include href="html-drill.xsl"/>
  <xsl:include href="html-period.xsl"/>

  <xsl:output method="html" encoding="UTF-8" indent="no"/>
  <xsl:param name="organisation" select="''"/>

  <!-- ================= page ================= -->

  <xsl:template match="/">
    <xsl:text disable-output-escaping="yes">&lt;!DOCTYPE html&gt;&#10;</xsl:text>
    <html lang="en">
      <head>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <meta name="generator" content="vouch {*/v:generator/@version}"/>
        <title><xsl:apply-templates select="*" mode="title"/></title>
        <style><xsl:call-template name="css"/></style>
      </head>
      <body>
        <main class="page">
          <xsl:apply-templates select="*"/>
        </main>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="v:gate-report" mode="title">
    <xsl:value-of select="concat('Gate report · run ', v:run/@id, ' · ', v:target/@database, ' · ')"/>
    <xsl:call-template name="headline"/>
  </xsl:template>

  <xsl:template match="*" mode="title">vouch report</xsl:template>

  <!-- The printed page's footer: plain words and numbers only (it sits inside a CSS string). -->
  <xsl:template match="v:gate-report" mode="footer">
    <xsl:value-of select="concat('vouch ', translate(v:run/@kind, '&quot;\', ''), ' report · run ', number(v:run/@id))"/>
  </xsl:template>
  <xsl:template match="*" mode="footer">vouch report</xsl:template>

  <!-- A report kind this stylesheet does not know yet: say so instead of an empty page. -->
  <xsl:template match="*">
    <header class="masthead">
      <div class="eyebrow">vouch</div>
      <h1>Report of a kind this stylesheet cannot show</h1>
      <p class="sub">Root element <code><xsl:value-of select="local-name()"/></code>. Render it as XML
        (<code>--format xml</code>) or with templates that know it.</p>
    </header>
  </xsl:template>

  <!-- ================= gate report ================= -->

  <xsl:template match="v:gate-report">
    <xsl:variable name="o" select="v:verdict/@outcome"/>
    <header class="masthead">
      <div class="eyebrow">
        <xsl:if test="string($organisation)">
          <span class="org"><xsl:value-of select="$organisation"/></span>
          <span class="dot"> · </span>
        </xsl:if>
        <xsl:text>Post-restore gate report</xsl:text>
      </div>
      <h1>
        <xsl:choose>
          <xsl:when test="v:run/@kind = 'check'">Check run </xsl:when>
          <xsl:otherwise>Gate run </xsl:otherwise>
        </xsl:choose>
        <xsl:value-of select="v:run/@id"/>
        <xsl:if test="v:target/@database">
          <span class="h1-db"> · <xsl:value-of select="v:target/@database"/></span>
        </xsl:if>
      </h1>
      <p class="sub">
        <xsl:call-template name="when">
          <xsl:with-param name="t" select="v:run/@started"/>
        </xsl:call-template>
        <xsl:if test="v:run/@baseline">
          <xsl:text> · against baseline run </xsl:text><xsl:value-of select="v:run/@baseline"/>
        </xsl:if>
      </p>
    </header>

    <section class="verdict v-{$o}" aria-label="verdict">
      <div class="verdict-text">
        <div class="verdict-label"><xsl:call-template name="headline"/></div>
        <div class="verdict-line">
          <xsl:call-template name="advice"/>
        </div>
        <xsl:if test="v:run/v:error">
          <div class="verdict-error"><xsl:value-of select="v:run/v:error"/></div>
        </xsl:if>
      </div>
      <div class="tiles">
        <xsl:call-template name="tile">
          <xsl:with-param name="n" select="v:verdict/@passed"/>
          <xsl:with-param name="label" select="'passed'"/>
          <xsl:with-param name="cls" select="'pass'"/>
        </xsl:call-template>
        <xsl:call-template name="tile">
          <xsl:with-param name="n" select="v:verdict/@warnings"/>
          <xsl:with-param name="label" select="'warnings'"/>
          <xsl:with-param name="cls" select="'warn'"/>
        </xsl:call-template>
        <xsl:call-template name="tile">
          <xsl:with-param name="n" select="v:verdict/@failed"/>
          <xsl:with-param name="label" select="'failed'"/>
          <xsl:with-param name="cls" select="'fail'"/>
        </xsl:call-template>
        <xsl:call-template name="tile">
          <xsl:with-param name="n" select="v:verdict/@errors"/>
          <xsl:with-param name="label" select="'errors'"/>
          <xsl:with-param name="cls" select="'error'"/>
        </xsl:call-template>
        <xsl:if test="v:verdict/@not-evaluated &gt; 0">
          <xsl:call-template name="tile">
            <xsl:with-param name="n" select="v:verdict/@not-evaluated"/>
            <xsl:with-param name="label" select="'not evaluated'"/>
            <xsl:with-param name="cls" select="'error'"/>
          </xsl:call-template>
        </xsl:if>
        <xsl:if test="v:verdict/@waived &gt; 0">
          <xsl:call-template name="tile">
            <xsl:with-param name="n" select="v:verdict/@waived"/>
            <xsl:with-param name="label" select="'waived'"/>
            <xsl:with-param name="cls" select="'waived'"/>
          </xsl:call-template>
        </xsl:if>
      </div>
      <div class="verdict-bar">
        <xsl:call-template name="bar">
          <xsl:with-param name="c" select="v:verdict"/>
          <xsl:with-param name="h" select="12"/>
        </xsl:call-template>
        <div class="bar-caption">
          <xsl:call-template name="count"><xsl:with-param name="n" select="v:verdict/@results"/></xsl:call-template>
          <xsl:text> results from </xsl:text>
          <xsl:value-of select="count(v:checks/v:check)"/>
          <xsl:text> check</xsl:text>
          <xsl:if test="count(v:checks/v:check) != 1">s</xsl:if>
          <xsl:if test="not(v:run/v:error)">
            <xsl:text> · recorded verdict: “</xsl:text>
            <xsl:value-of select="v:verdict"/>
            <xsl:text>”</xsl:text>
          </xsl:if>
        </div>
      </div>
    </section>

    <section class="facts" aria-label="the run">
      <xsl:call-template name="fact">
        <xsl:with-param name="k" select="'Target'"/>
        <xsl:with-param name="v" select="v:target"/>
        <xsl:with-param name="mono" select="true()"/>
        <xsl:with-param name="wide" select="true()"/>
      </xsl:call-template>
      <xsl:call-template name="fact">
        <xsl:with-param name="k" select="'Started'"/>
        <xsl:with-param name="v">
          <xsl:call-template name="when"><xsl:with-param name="t" select="v:run/@started"/></xsl:call-template>
        </xsl:with-param>
      </xsl:call-template>
      <xsl:call-template name="fact">
        <xsl:with-param name="k" select="'Finished'"/>
        <xsl:with-param name="v">
          <xsl:call-template name="when"><xsl:with-param name="t" select="v:run/@finished"/></xsl:call-template>
          <xsl:if test="v:run/@duration-ms">
            <xsl:text> (took </xsl:text>
            <xsl:call-template name="duration"><xsl:with-param name="ms" select="v:run/@duration-ms"/></xsl:call-template>
            <xsl:text>)</xsl:text>
          </xsl:if>
        </xsl:with-param>
      </xsl:call-template>
      <xsl:call-template name="fact">
        <xsl:with-param name="k" select="'Snapshot'"/>
        <xsl:with-param name="v">
          <xsl:call-template name="when"><xsl:with-param name="t" select="v:server/@snapshot-time"/></xsl:call-template>
        </xsl:with-param>
      </xsl:call-template>
      <xsl:call-template name="fact">
        <xsl:with-param name="k" select="'Server'"/>
        <xsl:with-param name="v">
          <xsl:if test="v:server/@version">PostgreSQL <xsl:value-of select="v:server/@version"/></xsl:if>
        </xsl:with-param>
      </xsl:call-template>
      <xsl:call-template name="fact">
        <xsl:with-param name="k" select="'System identifier'"/>
        <xsl:with-param name="v" select="v:server/@system-identifier"/>
        <xsl:with-param name="mono" select="true()"/>
      </xsl:call-template>
      <xsl:call-template name="fact">
        <xsl:with-param name="k" select="'Timeline · LSN'"/>
        <xsl:with-param name="v">
          <xsl:if test="v:server/@timeline or v:server/@lsn">
            <xsl:value-of select="v:server/@timeline"/> · <xsl:value-of select="v:server/@lsn"/>
          </xsl:if>
        </xsl:with-param>
        <xsl:with-param name="mono" select="true()"/>
      </xsl:call-template>
      <xsl:call-template name="fact">
        <xsl:with-param name="k" select="'Baseline'"/>
        <xsl:with-param name="v">
          <xsl:if test="v:run/@baseline">run <xsl:value-of select="v:run/@baseline"/></xsl:if>
        </xsl:with-param>
      </xsl:call-template>
      <xsl:call-template name="fact">
        <xsl:with-param name="k" select="'vouch'"/>
        <xsl:with-param name="v" select="v:run/@tool-version"/>
      </xsl:call-template>
      <xsl:if test="v:run/@incident-at">
        <xsl:call-template name="fact">
          <xsl:with-param name="k" select="'Incident at'"/>
          <xsl:with-param name="v">
            <xsl:call-template name="when"><xsl:with-param name="t" select="v:run/@incident-at"/></xsl:call-template>
          </xsl:with-param>
        </xsl:call-template>
      </xsl:if>
      <xsl:if test="v:run/@started-by or v:run/@host">
        <xsl:call-template name="fact">
          <xsl:with-param name="k" select="'Started by'"/>
          <xsl:with-param name="v">
            <xsl:value-of select="v:run/@started-by"/>
            <xsl:if test="v:run/@started-by and v:run/@host"> on </xsl:if>
            <xsl:value-of select="v:run/@host"/>
          </xsl:with-param>
        </xsl:call-template>
      </xsl:if>
      <!-- the CI job's text as text; a link only where the report says it is a plain http(s) URL -->
      <xsl:if test="v:run/v:ci-job">
        <div class="fact wide">
          <div class="fact-k">CI job</div>
          <div class="fact-v mono">
            <xsl:choose>
              <xsl:when test="v:run/v:ci-job/@href"><a href="{v:run/v:ci-job/@href}" rel="noopener noreferrer"><xsl:value-of select="v:run/v:ci-job"/></a></xsl:when>
              <xsl:otherwise><xsl:value-of select="v:run/v:ci-job"/></xsl:otherwise>
            </xsl:choose>
          </div>
        </div>
      </xsl:if>
    </section>

    <xsl:variable name="attention" select="v:checks/v:check/v:result[@status != 'pass']"/>
    <section>
      <h2>What needs attention</h2>
      <xsl:choose>
        <xsl:when test="$attention">
          <table class="results attention">
            <thead>
              <tr>
                <th class="c-status">Status</th><th class="c-check">Check</th><th class="c-subject">Subject</th>
                <th class="c-value">Expected</th><th class="c-value">Observed</th><th class="c-reason">Reason</th>
              </tr>
            </thead>
            <tbody>
              <xsl:for-each select="$attention">
                <tr class="row-{@status}">
                  <td><xsl:call-template name="badge"/></td>
                  <td class="mono"><xsl:call-template name="ident"><xsl:with-param name="s" select="../@name"/></xsl:call-template></td>
                  <td class="mono"><a href="#r{@seq}"><xsl:call-template name="ident"><xsl:with-param name="s" select="v:subject"/></xsl:call-template></a></td>
                  <td class="mono num"><xsl:call-template name="value"><xsl:with-param name="n" select="v:expected"/></xsl:call-template></td>
                  <td class="mono num obs"><xsl:call-template name="value"><xsl:with-param name="n" select="v:observed"/></xsl:call-template></td>
                  <td><xsl:value-of select="v:reason"/><xsl:call-template name="waiver-note"/></td>
                </tr>
              </xsl:for-each>
            </tbody>
          </table>
        </xsl:when>
        <xsl:when test="v:verdict/@results = 0">
          <p class="callout">
            <xsl:choose>
              <xsl:when test="v:run/v:error">No results were recorded: the run stopped before any check reported (the reason is above).</xsl:when>
              <xsl:otherwise>No results were recorded.</xsl:otherwise>
            </xsl:choose>
          </p>
        </xsl:when>
        <xsl:otherwise>
          <p class="callout ok">Nothing: every one of the <xsl:value-of select="v:verdict/@results"/> results passed.</p>
        </xsl:otherwise>
      </xsl:choose>
    </section>

    <xsl:if test="v:approvals">
      <section class="approvals">
        <h2>Approval</h2>
        <xsl:call-template name="approvals-html"><xsl:with-param name="a" select="v:approvals"/></xsl:call-template>
      </section>
    </xsl:if>

    <xsl:if test="v:waivers">
      <section>
        <h2>Waivers</h2>
        <p class="lede">Accepted deviations configured as [waiver] sections: each failure one covers is
          shown as waived, never as passed. An expired waiver fails the run; one that covers nothing warns.</p>
        <xsl:call-template name="waivers-table"><xsl:with-param name="ws" select="v:waivers/v:waiver"/></xsl:call-template>
      </section>
    </xsl:if>

    <xsl:if test="v:negative-control">
      <section>
        <h2>Negative control</h2>
        <p class="lede">Every check was run once more against a copy of its baseline perturbed in memory
          (a count raised, a policy removed, a hash changed) and had to fail: a check that passes its
          perturbation cannot fail, and closes the gate.</p>
        <p>
          <xsl:attribute name="class">
            <xsl:choose>
              <xsl:when test="v:negative-control/@outcome = 'able'">callout ok</xsl:when>
              <xsl:otherwise>callout bad</xsl:otherwise>
            </xsl:choose>
          </xsl:attribute>
          <xsl:value-of select="concat(translate(substring(v:negative-control, 1, 1), 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'), substring(v:negative-control, 2), '.')"/>
        </p>
      </section>
    </xsl:if>

    <section>
      <h2>Results by check</h2>
      <xsl:if test="not(v:checks/v:check)">
        <p class="callout">No check ran.</p>
      </xsl:if>
      <xsl:apply-templates select="v:checks/v:check"/>
    </section>

    <section class="evidence">
      <h2>Evidence</h2>
      <dl>
        <xsl:choose>
          <xsl:when test="v:chain">
            <dt>Sealed in the store</dt>
            <dd>position <xsl:value-of select="v:chain/@position"/> of the store’s hash chain</dd>
            <dt>Run digest</dt>
            <dd class="mono hash"><xsl:value-of select="v:chain/@digest"/></dd>
            <dt>Previous digest</dt>
            <dd class="mono hash">
              <xsl:choose>
                <xsl:when test="string(v:chain/@previous)"><xsl:value-of select="v:chain/@previous"/></xsl:when>
                <xsl:otherwise>none: the first sealed run</xsl:otherwise>
              </xsl:choose>
            </dd>
          </xsl:when>
          <xsl:otherwise>
            <dt>Sealed in the store</dt><dd>not yet: the run has not finished</dd>
          </xsl:otherwise>
        </xsl:choose>
        <xsl:call-template name="store-head-html"/>
        <dt>Rebuild and check</dt>
        <dd><code>vouch report run <xsl:value-of select="v:run/@id"/></code> rebuilds this report from the
          store alone; <code>vouch verify</code> recomputes the chain.</dd>
      </dl>
      <p class="colophon">Rendered by vouch <xsl:value-of select="v:generator/@version"/> from its evidence
        store. The target is recorded without its password.</p>
    </section>
  </xsl:template>

  <!-- One check: its results that did not pass in full; when the report is long, its passing
       results folded into one line (a <details> that opens on screen; print shows the count),
       and a check that passed whole is that one line. -->
  <xsl:template match="v:check">
    <xsl:variable name="fold" select="ancestor::*[v:verdict][1]/v:verdict/@results &gt; $fold-over"/>
    <xsl:variable name="shown" select="v:result[not($fold) or @status != 'pass']"/>
    <xsl:variable name="folded" select="v:result[$fold and @status = 'pass']"/>
    <xsl:choose>
      <xsl:when test="v:result and not($shown)">
        <details class="check passed" id="check-{@name}">
          <summary class="check-head"><xsl:call-template name="check-head"/></summary>
          <xsl:call-template name="check-results"><xsl:with-param name="rows" select="$folded"/></xsl:call-template>
        </details>
      </xsl:when>
      <xsl:otherwise>
        <div class="check" id="check-{@name}">
          <div class="check-head"><xsl:call-template name="check-head"/></div>
          <xsl:choose>
            <xsl:when test="v:result">
              <xsl:call-template name="check-results"><xsl:with-param name="rows" select="$shown"/></xsl:call-template>
              <xsl:if test="$folded">
                <details class="passed">
                  <summary>
                    <xsl:call-template name="count"><xsl:with-param name="n" select="count($folded)"/></xsl:call-template>
                    <xsl:text> passed result</xsl:text><xsl:if test="count($folded) != 1">s</xsl:if>
                  </summary>
                  <xsl:call-template name="check-results"><xsl:with-param name="rows" select="$folded"/></xsl:call-template>
                </details>
              </xsl:if>
            </xsl:when>
            <xsl:otherwise>
              <p class="callout">This check recorded no result.</p>
            </xsl:otherwise>
          </xsl:choose>
        </div>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="check-head">
    <h3><xsl:call-template name="ident"><xsl:with-param name="s" select="@name"/></xsl:call-template></h3>
    <span class="check-counts">
      <xsl:call-template name="counts-text"/>
    </span>
    <span class="check-bar">
      <xsl:call-template name="bar">
        <xsl:with-param name="c" select="."/>
        <xsl:with-param name="h" select="8"/>
      </xsl:call-template>
    </span>
  </xsl:template>

  <xsl:template name="check-results">
    <xsl:param name="rows"/>
    <table class="results">
      <thead>
        <tr>
          <th class="c-status">Status</th><th class="c-subject">Subject</th><th class="c-value">Expected</th>
          <th class="c-value">Observed</th><th class="c-reason">Reason</th>
        </tr>
      </thead>
      <tbody>
        <xsl:for-each select="$rows">
          <tr class="row-{@status}" id="r{@seq}">
            <td><xsl:call-template name="badge"/></td>
            <td class="mono"><xsl:call-template name="ident"><xsl:with-param name="s" select="v:subject"/></xsl:call-template></td>
            <td class="mono num"><xsl:call-template name="value"><xsl:with-param name="n" select="v:expected"/></xsl:call-template></td>
            <td class="mono num obs"><xsl:call-template name="value"><xsl:with-param name="n" select="v:observed"/></xsl:call-template></td>
            <td><xsl:value-of select="v:reason"/><xsl:call-template name="waiver-note"/></td>
          </tr>
          <xsl:if test="v:detail">
            <tr class="detail-row row-{@status}">
              <td></td>
              <td colspan="4"><pre class="detail"><xsl:value-of select="v:detail"/></pre></td>
            </tr>
          </xsl:if>
        </xsl:for-each>
      </tbody>
    </table>
  </xsl:template>

  <!-- ================= pieces ================= -->

  <xsl:template name="headline">
    <xsl:variable name="o" select="/*/v:verdict/@outcome"/>
    <xsl:choose>
      <xsl:when test="$o = 'open'">Gate open</xsl:when>
      <xsl:when test="$o = 'closed'">Gate closed</xsl:when>
      <xsl:when test="$o = 'passed'">Checks passed</xsl:when>
      <xsl:when test="$o = 'failed'">Checks failed</xsl:when>
      <xsl:when test="$o = 'aborted'">Run aborted</xsl:when>
      <xsl:otherwise>Run not finished</xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="advice">
    <xsl:variable name="vd" select="/*/v:verdict"/>
    <xsl:variable name="o" select="$vd/@outcome"/>
    <xsl:variable name="bad" select="$vd/@failed + $vd/@errors"/>
    <xsl:choose>
      <xsl:when test="$o = 'open' and $vd/@waived &gt; 0">
        <xsl:value-of select="$vd/@waived"/>
        <xsl:text> failed result</xsl:text><xsl:if test="$vd/@waived != 1">s are</xsl:if><xsl:if test="$vd/@waived = 1"> is</xsl:if>
        <xsl:text> covered by a waiver (listed below) and the other </xsl:text>
        <xsl:value-of select="$vd/@results - $vd/@waived"/>
        <xsl:text> passed: the restored database may be reopened with the accepted deviations.</xsl:text>
        <xsl:if test="$vd/@warnings &gt; 0"> Read the warnings below.</xsl:if>
      </xsl:when>
      <xsl:when test="$o = 'open'">
        <xsl:text>All </xsl:text><xsl:call-template name="count"><xsl:with-param name="n" select="$vd/@results"/></xsl:call-template>
        <xsl:text> results passed: the restored database may be reopened.</xsl:text>
        <xsl:if test="$vd/@warnings &gt; 0"> Read the warnings below.</xsl:if>
      </xsl:when>
      <xsl:when test="$o = 'closed'">
        <xsl:value-of select="$bad"/> of <xsl:call-template name="count"><xsl:with-param name="n" select="$vd/@results"/></xsl:call-template>
        <xsl:text> results did not pass. Do not reopen: fix what is listed below, then run the gate again.</xsl:text>
      </xsl:when>
      <xsl:when test="$o = 'passed'">
        <xsl:text>The checks that ran passed. A check run is not the whole gate.</xsl:text>
      </xsl:when>
      <xsl:when test="$o = 'failed'">
        <xsl:value-of select="$bad"/> of <xsl:value-of select="$vd/@results"/>
        <xsl:text> results did not pass.</xsl:text>
      </xsl:when>
      <xsl:when test="$o = 'aborted'">The run could not finish, so nothing was proven. Do not reopen on this run.</xsl:when>
      <xsl:otherwise>The run had not finished when this report was made.</xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="tile">
    <xsl:param name="n"/>
    <xsl:param name="label"/>
    <xsl:param name="cls"/>
    <div class="tile t-{$cls}">
      <xsl:if test="$n = 0"><xsl:attribute name="class">tile t-zero</xsl:attribute></xsl:if>
      <div class="tile-n"><xsl:call-template name="count"><xsl:with-param name="n" select="$n"/></xsl:call-template></div>
      <div class="tile-label"><xsl:value-of select="$label"/></div>
    </div>
  </xsl:template>

  <xsl:template name="badge">
    <span class="badge b-{@status}">
      <xsl:choose>
        <xsl:when test="@status = 'pass'">pass</xsl:when>
        <xsl:when test="@status = 'warn'">warn</xsl:when>
        <xsl:when test="@status = 'fail'">FAIL</xsl:when>
        <!-- short enough for the status column; the reason and the counts say "not evaluated" -->
        <xsl:when test="@status = 'not_evaluated'"><xsl:attribute name="title">not evaluated</xsl:attribute>skipped</xsl:when>
        <!-- a failure a waiver covers: never shown as a pass -->
        <xsl:when test="@status = 'waived'"><xsl:attribute name="title">failed, covered by a waiver</xsl:attribute>waived</xsl:when>
        <xsl:otherwise>ERROR</xsl:otherwise>
      </xsl:choose>
    </span>
  </xsl:template>

  <!-- under a waived result's reason: which waiver covers it, until when, who approved it, why
       (the waiver is looked up in the waivers of the run or period the result belongs to) -->
  <xsl:template name="waiver-note">
    <xsl:if test="@status = 'waived'">
      <xsl:variable name="w" select="ancestor::*[v:waivers][1]/v:waivers/v:waiver[@name = current()/@waiver][1]"/>
      <div class="waiver-note">
        <xsl:text>Waived by </xsl:text><b><xsl:value-of select="@waiver"/></b>
        <xsl:if test="$w">
          <xsl:text> until </xsl:text><xsl:value-of select="$w/@expires"/>
          <xsl:if test="$w/@approved-by"><xsl:text>, approved by </xsl:text><xsl:value-of select="$w/@approved-by"/></xsl:if>
          <xsl:text>: </xsl:text><xsl:value-of select="$w"/>
        </xsl:if>
      </div>
    </xsl:if>
  </xsl:template>

  <!-- every waiver of a run or a period, in force or not -->
  <!-- who let people back in: each signed approval of the run (docs/approvals.md) -->
  <xsl:template name="approvals-html">
    <xsl:param name="a"/>
    <xsl:choose>
      <xsl:when test="$a/v:approval">
        <ul class="approval-list">
          <xsl:for-each select="$a/v:approval">
            <li>Reopening approved by <strong><xsl:value-of select="@signer"/></strong> at
              <span class="mono"><xsl:value-of select="@at"/></span>
              <xsl:if test="@timestamped = 'true'"> (trusted timestamp)</xsl:if>:
              <xsl:value-of select="."/>
              <span class="mono approval-fp">certificate SHA-256 <xsl:value-of select="@fingerprint"/></span></li>
          </xsl:for-each>
        </ul>
      </xsl:when>
      <xsl:otherwise><p class="callout">Reopening not approved: no signed approval of this run is recorded (<code>vouch approve</code>).</p></xsl:otherwise>
    </xsl:choose>
    <xsl:if test="$a/@met = 'false'">
      <p class="callout unapproved">[gate] approvals asks <xsl:value-of select="$a/@required"/> approvals from distinct signers;
        this gate has <xsl:value-of select="$a/@distinct"/>.</p>
    </xsl:if>
  </xsl:template>

  <xsl:template name="waivers-table">
    <xsl:param name="ws"/>
    <table class="results waivers">
      <thead>
        <tr><th class="c-status">State</th><th class="c-check">Waiver</th><th class="c-check">Check</th>
          <th class="c-subject">Subject</th><th class="c-value">Expires</th><th class="c-value">Approved by</th>
          <th class="c-value">Waived</th><th class="c-reason">Reason</th></tr>
      </thead>
      <tbody>
        <xsl:for-each select="$ws">
          <tr class="row-{substring('waivedwarn  fail  ', 1 + 6 * (@state = 'unmatched') + 12 * (@state = 'expired'), 6)}">
            <td>
              <xsl:choose>
                <xsl:when test="@state = 'in_force'"><span class="badge b-waived">in force</span></xsl:when>
                <xsl:when test="@state = 'unmatched'"><span class="badge b-warn" title="it covered no failure">unused</span></xsl:when>
                <xsl:otherwise><span class="badge b-fail">expired</span></xsl:otherwise>
              </xsl:choose>
            </td>
            <td class="mono"><xsl:value-of select="@name"/></td>
            <td class="mono"><xsl:value-of select="@check"/></td>
            <td class="mono"><xsl:value-of select="@subject"/></td>
            <td class="mono"><xsl:value-of select="@expires"/></td>
            <td><xsl:call-template name="value"><xsl:with-param name="n" select="@approved-by"/></xsl:call-template></td>
            <td class="mono num">
              <xsl:choose>
                <xsl:when test="@waived-in-period"><xsl:value-of select="@waived-in-period"/> in <xsl:value-of select="@runs"/> run<xsl:if test="@runs != 1">s</xsl:if></xsl:when>
                <xsl:otherwise><xsl:value-of select="@waived"/></xsl:otherwise>
              </xsl:choose>
            </td>
            <td><xsl:value-of select="."/></td>
          </tr>
        </xsl:for-each>
      </tbody>
    </table>
  </xsl:template>

  <xsl:template name="value">
    <xsl:param name="n"/>
    <xsl:choose>
      <xsl:when test="$n">
        <xsl:call-template name="count-words">
          <xsl:with-param name="s" select="$n"/>
          <xsl:with-param name="html" select="true()"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise><span class="none">—</span></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="counts-text">
    <xsl:call-template name="count"><xsl:with-param name="n" select="@passed"/></xsl:call-template> passed
    <xsl:if test="@warnings &gt; 0"> · <xsl:value-of select="@warnings"/> warning<xsl:if test="@warnings != 1">s</xsl:if></xsl:if>
    <xsl:if test="@failed &gt; 0"> · <b class="k-fail"><xsl:value-of select="@failed"/> failed</b></xsl:if>
    <xsl:if test="@errors &gt; 0"> · <b class="k-error"><xsl:value-of select="@errors"/> error<xsl:if test="@errors != 1">s</xsl:if></b></xsl:if>
    <xsl:if test="@not-evaluated &gt; 0"> · <b class="k-error"><xsl:value-of select="@not-evaluated"/> not evaluated</b></xsl:if>
    <xsl:if test="@waived &gt; 0"> · <b class="k-waived"><xsl:value-of select="@waived"/> waived</b></xsl:if>
  </xsl:template>

  <xsl:template name="fact">
    <xsl:param name="k"/>
    <xsl:param name="v"/>
    <xsl:param name="mono" select="false()"/>
    <xsl:param name="wide" select="false()"/>
    <div class="fact">
      <xsl:if test="$wide"><xsl:attribute name="class">fact wide</xsl:attribute></xsl:if>
      <div class="fact-k"><xsl:value-of select="$k"/></div>
      <div class="fact-v">
        <xsl:if test="$mono"><xsl:attribute name="class">fact-v mono</xsl:attribute></xsl:if>
        <xsl:choose>
          <xsl:when test="string($v)"><xsl:value-of select="$v"/></xsl:when>
          <xsl:otherwise><span class="none">not recorded</span></xsl:otherwise>
        </xsl:choose>
      </div>
    </div>
  </xsl:template>

  <!-- 2026-11-25T21:40:01.123Z -> 2026-11-25 21:40:01 UTC -->
  <xsl:template name="when">
    <xsl:param name="t"/>
    <xsl:if test="string($t)">
      <xsl:value-of select="concat(substring($t, 1, 10), ' ', substring($t, 12, 8), ' UTC')"/>
    </xsl:if>
  </xsl:template>

  <!-- A stacked bar of pass / warn / fail / error over the element's counts. -->
  <xsl:template name="bar">
    <xsl:param name="c"/>
    <xsl:param name="h" select="10"/>
    <xsl:variable name="total" select="$c/@results"/>
    <svg class="bar" viewBox="0 0 1000 {$h}" preserveAspectRatio="none" role="img" height="{$h}">
      <xsl:attribute name="aria-label">
        <xsl:value-of select="concat($c/@passed, ' passed, ', $c/@warnings, ' warnings, ', $c/@failed, ' failed, ', $c/@errors, ' errors')"/>
      </xsl:attribute>
      <xsl:choose>
        <xsl:when test="$total &gt; 0">
          <xsl:variable name="wp" select="1000 * $c/@passed div $total"/>
          <xsl:variable name="ww" select="1000 * $c/@warnings div $total"/>
          <xsl:variable name="wf" select="1000 * $c/@failed div $total"/>
          <xsl:variable name="we" select="1000 * $c/@errors div $total"/>
          <rect x="0" y="0" width="{$wp}" height="{$h}" fill="#1f883d"/>
          <rect x="{$wp}" y="0" width="{$ww}" height="{$h}" fill="#bf8700"/>
          <rect x="{$wp + $ww}" y="0" width="{$wf}" height="{$h}" fill="#cf222e"/>
          <rect x="{$wp + $ww + $wf}" y="0" width="{$we}" height="{$h}" fill="#8250df"/>
        </xsl:when>
        <xsl:otherwise>
          <rect x="0" y="0" width="1000" height="{$h}" fill="#d0d7de"/>
        </xsl:otherwise>
      </xsl:choose>
    </svg>
  </xsl:template>

  <!-- ================= style ================= -->

  <xsl:template name="css">
:root {
  --ink: #1f2328; --muted: #59636e; --faint: #818b98; --line: #d1d9e0; --zebra: #f6f8fa;
  --pass: #1f883d; --pass-bg: #dafbe1; --warn: #9a6700; --warn-bg: #fff8c5;
  --fail: #cf222e; --fail-bg: #ffebe9; --error: #8250df; --error-bg: #fbefff;
  --sans: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Liberation Sans", "DejaVu Sans", Arial, sans-serif;
  --mono: ui-monospace, "SFMono-Regular", "Cascadia Mono", Menlo, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace;
}
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; background: #eef1f4; color: var(--ink); font: 15px/1.5 var(--sans); }
.page { max-width: 1120px; margin: 24px auto; background: #fff; padding: 40px 48px 32px;
  border-radius: 10px; box-shadow: 0 1px 3px rgba(31,35,40,.12), 0 8px 24px rgba(66,74,83,.08); }
.mono, code, pre { font-family: var(--mono); font-size: .9em; }
code { background: var(--zebra); padding: 1px 5px; border-radius: 4px; }
.none { color: var(--faint); }
a { color: inherit; text-decoration: none; border-bottom: 1px dotted var(--faint); }

.masthead { border-bottom: 1px solid var(--line); padding-bottom: 16px; margin-bottom: 22px; }
.eyebrow { text-transform: uppercase; letter-spacing: .09em; font-size: 12px; font-weight: 600; color: var(--muted); }
.eyebrow .org { color: var(--ink); }
h1 { font-size: 30px; line-height: 1.2; margin: 6px 0 4px; font-weight: 700; letter-spacing: -.01em; }
.h1-db { color: var(--muted); font-weight: 500; }
.sub { margin: 0; color: var(--muted); }
h2 { font-size: 19px; margin: 34px 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
h3 { font-size: 16px; margin: 0; font-family: var(--mono); }

.verdict { display: grid; grid-template-columns: 1fr auto; gap: 14px 28px; align-items: center;
  padding: 22px 26px; border-radius: 10px; border: 1px solid; border-left-width: 8px; }
.v-open, .v-passed { background: var(--pass-bg); border-color: var(--pass); }
.v-closed, .v-failed { background: var(--fail-bg); border-color: var(--fail); }
.v-aborted, .v-running { background: var(--warn-bg); border-color: var(--warn); }
.verdict-label { font-size: 34px; font-weight: 800; letter-spacing: .01em; text-transform: uppercase; line-height: 1.1; }
.v-open .verdict-label, .v-passed .verdict-label { color: var(--pass); }
.v-closed .verdict-label, .v-failed .verdict-label { color: var(--fail); }
.v-aborted .verdict-label, .v-running .verdict-label { color: var(--warn); }
.verdict-line { margin-top: 6px; font-size: 16px; max-width: 44em; }
.verdict-error { margin-top: 8px; font-family: var(--mono); font-size: 13px; }
.tiles { display: flex; gap: 8px; }
.tile { min-width: 74px; text-align: center; background: #fff; border: 1px solid var(--line);
  border-radius: 8px; padding: 8px 10px 6px; }
.tile-n { font-size: 26px; font-weight: 700; line-height: 1.1; font-variant-numeric: tabular-nums; }
.tile-label { font-size: 11px; text-transform: uppercase; letter-spacing: .07em; color: var(--muted); }
.t-pass .tile-n { color: var(--pass); } .t-warn .tile-n { color: var(--warn); }
.t-fail .tile-n { color: var(--fail); } .t-error .tile-n { color: var(--error); }
.t-fail { border-color: var(--fail); } .t-error { border-color: var(--error); }
.t-zero .tile-n { color: var(--faint); }
.verdict-bar { grid-column: 1 / -1; }
svg.bar { display: block; width: 100%; border-radius: 3px; overflow: hidden; background: #d0d7de; }
.bar-caption { margin-top: 6px; font-size: 12.5px; color: var(--muted); }

.facts { display: grid; grid-template-columns: repeat(4, 1fr); gap: 0; margin-top: 22px; border-right: 0 !important; border-bottom: 0 !important;
  border: 1px solid var(--line); border-radius: 8px; overflow: hidden; }
.fact { padding: 9px 14px; border-right: 1px solid var(--line); border-bottom: 1px solid var(--line); min-width: 0; }
.fact.wide { grid-column: 1 / -1; }
.fact-k { font-size: 11px; text-transform: uppercase; letter-spacing: .07em; color: var(--muted); font-weight: 600; }
.fact-v { overflow-wrap: anywhere; }

table.results { width: 100%; border-collapse: collapse; font-size: 14px; table-layout: fixed; }
table.results th { text-align: left; font-size: 11.5px; text-transform: uppercase; letter-spacing: .06em;
  color: var(--muted); font-weight: 600; padding: 7px 10px; border-bottom: 2px solid var(--line); background: #fff; }
table.results td { padding: 7px 10px; border-bottom: 1px solid #e6eaef; vertical-align: top; overflow-wrap: anywhere; }
table.results tbody tr:nth-child(even of :not(.detail-row)) td { background: #fbfcfd; }
.c-status { width: 84px; } .c-check { width: 104px; } .c-subject { width: 24%; } .c-value { width: 14%; } .c-reason { width: auto; }
table.attention .c-check { width: 128px; }
.c-num { width: 76px; }
/* identifiers carry a &lt;wbr&gt; after each . _ -: break there; anywhere only when a part is still too long */
table.results td.mono, .check-head h3 { overflow-wrap: break-word; }
tr.row-fail td, tr.row-error td { background: #fff6f5 !important; }
tr.row-warn td { background: #fffcef !important; }
tr.row-waived td { background: #f6f4ff !important; }
.waiver-note { margin-top: 4px; font-size: 12.5px; color: #4b3a99; }
table.waivers .c-value { width: 9%; } table.waivers .c-subject { width: 12%; } table.waivers .c-check { width: 96px; }
td.obs { font-weight: 600; }
tr.row-pass td.obs { font-weight: 400; }
.attention { margin-bottom: 4px; }
.badge { display: inline-block; white-space: nowrap; min-width: 50px; text-align: center; font-size: 11px; font-weight: 700;
  letter-spacing: .06em; text-transform: uppercase; padding: 2px 8px; border-radius: 20px; border: 1px solid; }
.b-pass { color: var(--pass); background: var(--pass-bg); border-color: #9be9a8; }
.b-warn { color: var(--warn); background: var(--warn-bg); border-color: #eac54f; }
.b-fail { color: #fff; background: var(--fail); border-color: var(--fail); }
.b-error { color: #fff; background: var(--error); border-color: var(--error); }
.b-waived { color: #4b3a99; background: #f1eefe; border-color: #b7a9f0; }
.t-waived .tile-n { color: #4b3a99; }
.k-waived { color: #4b3a99; }
.b-not_evaluated { color: var(--error); background: #fff; border-color: var(--error); border-style: dashed; }
.detail-row td { border-bottom: 1px solid #e6eaef; padding-top: 0; }
pre.detail { margin: 0; padding: 8px 10px; background: var(--zebra); border: 1px solid #e6eaef; border-radius: 6px;
  white-space: pre-wrap; overflow-wrap: anywhere; font-size: 12.5px; max-height: none; }
tr.row-pass pre.detail { color: var(--muted); }

.check { margin: 0 0 22px; }
.check-head { display: flex; align-items: center; gap: 14px; margin-bottom: 6px; }
.check-counts { color: var(--muted); font-size: 13.5px; white-space: nowrap; }
.check-bar { flex: 1; max-width: 220px; margin-left: auto; }
.k-fail { color: var(--fail); } .k-error { color: var(--error); }
details.check > summary, details.passed > summary { cursor: pointer; }
details.check > summary { list-style: none; margin-bottom: 6px; }
details.check > summary::-webkit-details-marker { display: none; }
details.check > summary::before { content: "\25B8"; color: var(--muted); font-size: 12px; }
details.check[open] > summary::before { content: "\25BE"; }
details.passed { margin: 6px 0 0; }
details.passed > summary { color: var(--muted); font-size: 13.5px; padding: 4px 10px; }
figure.keep { margin: 0; }
.one-point { display: flex; align-items: baseline; gap: 14px; flex-wrap: wrap; padding: 14px 18px;
  border: 1px solid var(--line); border-radius: 8px; }
.one-point-value { font-size: 28px; font-weight: 700; font-variant-numeric: tabular-nums; }
.one-point-label { color: var(--muted); }
.one-point .gauge { flex: 1 1 100%; max-width: 440px; }
.callout { padding: 12px 16px; border-radius: 8px; background: var(--zebra); border: 1px solid var(--line); margin: 0; }
.callout.ok { background: var(--pass-bg); border-color: #9be9a8; }
.callout.bad { background: var(--error-bg); border-color: #d8b9ff; }
.callout.unapproved { background: var(--fail-bg); border-color: #ffb3ad; }
ul.approval-list { margin: 0; padding-left: 20px; } ul.approval-list li { margin: 4px 0; }
.approval-fp { display: block; color: var(--muted); font-size: 12px; }

.evidence dl { display: grid; grid-template-columns: 190px 1fr; gap: 6px 16px; margin: 0; font-size: 14px; }
.evidence dt { color: var(--muted); font-weight: 600; }
.evidence dd { margin: 0; overflow-wrap: anywhere; }
.hash { font-size: 12.5px; }
.colophon { margin: 22px 0 0; font-size: 12px; color: var(--faint); }

/* drill and compliance reports */
.v-met, .v-complete { background: var(--pass-bg); border-color: var(--pass); }
.v-missed, .v-gaps { background: var(--fail-bg); border-color: var(--fail); }
.v-interrupted, .v-partial { background: var(--warn-bg); border-color: var(--warn); }
.v-empty, .v-in-progress { background: var(--zebra); border-color: var(--faint); }
.v-met .verdict-label, .v-complete .verdict-label { color: var(--pass); }
.v-missed .verdict-label, .v-gaps .verdict-label { color: var(--fail); }
.v-interrupted .verdict-label, .v-partial .verdict-label { color: var(--warn); }
.v-empty .verdict-label { color: var(--muted); }
.tile-n.small { font-size: 18px; line-height: 1.45; }
.lede { color: var(--muted); margin: -4px 0 12px; font-size: 14px; }
svg.chart { display: block; width: 100%; height: auto; font-family: var(--sans); }
svg.chart .band { fill: #f6f8fa; }
svg.chart .grid { stroke: #d8dee4; stroke-width: 1; }
svg.chart .baseline { stroke: #8c959f; stroke-width: 1.5; }
svg.chart .label { font-size: 14px; fill: var(--ink); }
svg.chart .value { font-size: 13px; fill: var(--ink); font-weight: 600; }
svg.chart .axis { font-size: 12px; fill: var(--muted); }
svg.chart .strong { font-weight: 700; fill: var(--ink); }
svg.chart .warn-text { fill: var(--warn); font-weight: 600; }
svg.chart .fail-text { fill: var(--fail); font-weight: 600; }
svg.chart .step { fill: #0969da; }
svg.chart .step-end { fill: #8c959f; }
svg.chart .step-fail { fill: var(--fail); }
svg.chart .track { fill: #eaeef2; }
svg.chart .fill.f-pass { fill: var(--pass); }
svg.chart .fill.f-warn { fill: #d4a72c; }
svg.chart .fill.f-fail { fill: var(--fail); }
svg.chart .fill.f-none { fill: #afb8c1; }
svg.chart .current { stroke: var(--ink); stroke-width: 2; }
svg.chart .mark-target { stroke: #bf8700; stroke-width: 2; stroke-dasharray: 6 4; }
svg.chart .mark-limit { stroke: var(--fail); stroke-width: 2; }
.objectives { display: grid; grid-template-columns: 1fr 1fr; gap: 18px; }
.objective { border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px 8px; }
.objective-head { display: flex; align-items: baseline; gap: 10px; flex-wrap: wrap; }
.objective-name { font-size: 11px; text-transform: uppercase; letter-spacing: .07em; color: var(--muted); font-weight: 600; }
.objective-value { font-size: 24px; font-weight: 700; font-variant-numeric: tabular-nums; }
.objective-line { font-size: 13.5px; color: var(--muted); margin: 2px 0 4px; }
.judged { display: inline-block; font-size: 11px; font-weight: 700; letter-spacing: .06em; text-transform: uppercase;
  padding: 2px 8px; border-radius: 20px; border: 1px solid; }
.j-pass { color: var(--pass); background: var(--pass-bg); border-color: #9be9a8; }
.j-warn { color: var(--warn); background: var(--warn-bg); border-color: #eac54f; }
.j-fail { color: #fff; background: var(--fail); border-color: var(--fail); }
.j-none { color: var(--muted); background: var(--zebra); border-color: var(--line); }
.panel { border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px 10px; }
.panel + .panel { margin-top: 14px; }
.panel-title { font-size: 13px; font-weight: 600; color: var(--muted); margin: 0 0 6px; }
.gate-line { display: flex; align-items: center; gap: 12px; flex-wrap: wrap; margin-bottom: 12px; }
ol.follow-ups { margin: 0; padding-left: 22px; }
ol.follow-ups li { margin: 0 0 8px; padding-left: 4px; }
.src { display: inline-block; min-width: 74px; font-size: 10.5px; font-weight: 700; letter-spacing: .06em; text-transform: uppercase;
  color: var(--muted); margin-right: 8px; }
.quarters { display: flex; gap: 10px; flex-wrap: wrap; margin-bottom: 14px; }
.quarter { min-width: 150px; border: 1px solid var(--line); border-left-width: 6px; border-radius: 8px; padding: 8px 12px; }
.q-met { border-color: var(--pass); background: var(--pass-bg); }
.q-missed { border-color: var(--fail); background: var(--fail-bg); }
.q-partial { border-color: var(--faint); background: var(--zebra); }
.quarter-label { font-weight: 700; font-family: var(--mono); }
.quarter-status { font-size: 13px; color: var(--muted); }
.months { display: grid; grid-template-columns: repeat(6, 1fr); gap: 6px; margin-bottom: 12px; }
.month { border-radius: 6px; padding: 6px 8px; border: 1px solid; font-size: 12.5px; }
.month b { display: block; font-family: var(--mono); font-size: 13px; }
.m-present { background: var(--pass-bg); border-color: #9be9a8; }
.m-missing, .m-changed { background: var(--fail-bg); border-color: var(--fail); }
.m-outside-region { background: var(--warn-bg); border-color: #eac54f; }
table.results td.n, table.results th.n { text-align: right; font-variant-numeric: tabular-nums; }
.charts { display: grid; grid-template-columns: 1fr; gap: 14px; }
.empty-period { margin-top: 22px; padding: 26px 28px; border: 2px dashed var(--line); border-radius: 10px; background: var(--zebra); }
.empty-period h2 { border: 0; margin: 0 0 8px; padding: 0; }
.empty-period p { margin: 6px 0; }

@media screen and (max-width: 760px) {
  .page { padding: 20px; margin: 0; border-radius: 0; }
  .verdict { grid-template-columns: 1fr; }
  .facts { grid-template-columns: 1fr 1fr; }
}
@page {
  size: A4; margin: 14mm 13mm 16mm;
  @bottom-left { content: "<xsl:apply-templates select="*" mode="footer"/>"; font: 8pt var(--sans); color: #818b98; }
  @bottom-right { content: "page " counter(page) " of " counter(pages); font: 8pt var(--sans); color: #818b98; }
}
@media print {
  body { background: #fff; font-size: 10pt; }
  .page { max-width: none; margin: 0; padding: 0; box-shadow: none; border-radius: 0; }
  h1 { font-size: 20pt; }
  h2 { font-size: 13pt; }
  /* a heading stays with what follows it; a figure is never split */
  h2, h3, .lede, .panel-title { break-after: avoid; page-break-after: avoid; }
  figure, svg.chart, .one-point, .keep { break-inside: avoid; page-break-inside: avoid; }
  details > summary::before { content: none !important; }
  .verdict { grid-template-columns: 1fr; padding: 14px 18px; }
  .verdict-label { font-size: 22pt; }
  .tile { padding: 4px 10px 3px; }
  .tile-n { font-size: 16pt; }
  .fact { padding: 6px 10px; }
  .fact-v { font-size: 9pt; }
  .verdict, .facts, .check-head, tr, svg.chart, .objective, .quarter, .months, .panel { break-inside: avoid; page-break-inside: avoid; }
  .objectives { grid-template-columns: 1fr 1fr; }
  .months { grid-template-columns: repeat(6, 1fr); }
  thead { display: table-header-group; }
  table.results { font-size: 9pt; }
  /* on A4 the values need the room more than the reason does */
  .c-status { width: 70px; } .c-check, table.attention .c-check { width: 84px; } .c-subject { width: 21%; } .c-value { width: 16%; }
  a { border: 0; }
}
  </xsl:template>
</xsl:stylesheet>
