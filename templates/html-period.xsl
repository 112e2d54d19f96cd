<?xml version="1.0" encoding="UTF-8"?>
<!--
  The compliance report of a period as HTML: verdict first, drills against the
  quarterly cadence, every gate, every check's results in the period, backup policy,
  residency evidence month by month, open failures and trends. A period with nothing
  recorded says so in one section instead of empty tables. Included by html.xsl.
-->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:v="urn:x-vouch:report"
                exclude-result-prefixes="v">

  <xsl:template match="v:compliance-report" mode="title">
    <xsl:value-of select="concat('Compliance report · ', v:period/@label, ' · ')"/>
    <xsl:call-template name="period-headline"/>
  </xsl:template>

  <xsl:template match="v:compliance-report" mode="footer">
    <xsl:value-of select="concat('vouch compliance report · ', translate(v:period/@label, '&quot;\', ''))"/>
  </xsl:template>

  <xsl:template name="period-headline">
    <xsl:variable name="o" select="/*/v:verdict/@outcome"/>
    <xsl:choose>
      <xsl:when test="$o = 'complete'">Complete</xsl:when>
      <xsl:when test="$o = 'gaps'">Gaps found</xsl:when>
      <xsl:when test="$o = 'in-progress'">In progress</xsl:when>
      <xsl:otherwise>Nothing recorded</xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="drills-held-line">
    <xsl:variable name="dr" select="/*/v:drills"/>
    <xsl:value-of select="$dr/@held"/>
    <xsl:text> drill</xsl:text><xsl:if test="$dr/@held != 1">s</xsl:if>
    <xsl:text> held in </xsl:text><xsl:value-of select="/*/v:period/@label"/>
    <xsl:text> against a cadence of at least one per quarter: </xsl:text>
    <xsl:choose>
      <xsl:when test="$dr/@required = 0">no whole quarter in the period to judge</xsl:when>
      <xsl:when test="$dr/@quarters-met = $dr/@required">met</xsl:when>
      <xsl:otherwise>missed</xsl:otherwise>
    </xsl:choose>
    <xsl:if test="$dr/@required &gt; 0">
      <xsl:value-of select="concat(' (', $dr/@quarters-met, ' of ', $dr/@required, ' quarter')"/>
      <xsl:if test="$dr/@required != 1">s</xsl:if>
      <xsl:text> with a drill)</xsl:text>
    </xsl:if>
    <xsl:text>.</xsl:text>
  </xsl:template>

  <xsl:template match="v:compliance-report">
    <xsl:variable name="vd" select="v:verdict"/>
    <xsl:variable name="p" select="v:period"/>
    <header class="masthead">
      <div class="eyebrow">
        <xsl:if test="string($organisation)">
          <span class="org"><xsl:value-of select="$organisation"/></span>
          <span class="dot"> · </span>
        </xsl:if>
        <xsl:text>Restore compliance report</xsl:text>
      </div>
      <h1><xsl:value-of select="$p/@label"/></h1>
      <p class="sub">
        <xsl:value-of select="concat($p/@first-day, ' to ', $p/@last-day, ' (UTC days, both included)')"/>
      </p>
    </header>

    <section class="verdict v-{$vd/@outcome}" aria-label="verdict">
      <div class="verdict-text">
        <div class="verdict-label"><xsl:call-template name="period-headline"/></div>
        <div class="verdict-line"><xsl:value-of select="$vd"/></div>
      </div>
      <div class="tiles">
        <xsl:call-template name="tile">
          <xsl:with-param name="n" select="v:gates/@total"/>
          <xsl:with-param name="label" select="'runs'"/>
          <xsl:with-param name="cls" select="'pass'"/>
        </xsl:call-template>
        <xsl:call-template name="tile">
          <xsl:with-param name="n" select="v:drills/@held"/>
          <xsl:with-param name="label" select="'drills held'"/>
          <xsl:with-param name="cls" select="'pass'"/>
        </xsl:call-template>
        <xsl:call-template name="tile">
          <xsl:with-param name="n" select="$vd/@quarters-missed"/>
          <xsl:with-param name="label" select="'quarters missed'"/>
          <xsl:with-param name="cls" select="'fail'"/>
        </xsl:call-template>
        <xsl:call-template name="tile">
          <xsl:with-param name="n" select="$vd/@open-failures"/>
          <xsl:with-param name="label" select="'open failures'"/>
          <xsl:with-param name="cls" select="'fail'"/>
        </xsl:call-template>
      </div>
    </section>

    <xsl:choose>
      <xsl:when test="$vd/@outcome = 'empty'">
        <section class="empty-period">
          <h2>Nothing recorded in this period</h2>
          <p>The evidence store holds no gate or check run and no restore drill that started between
            <xsl:value-of select="$p/@first-day"/> and <xsl:value-of select="$p/@last-day"/>.</p>
          <p><xsl:call-template name="drills-held-line"/></p>
          <xsl:for-each select="v:drills/v:quarter[@status = 'missed']">
            <p><b>Quarter <xsl:value-of select="@label"/> had no drill</b>: the runbook asks for one every quarter.</p>
          </xsl:for-each>
          <p>If work was done in this period, it was not recorded in this store: check the store’s path
            (<code>vouch runs</code>, <code>vouch drills</code>) or the period.</p>
        </section>
      </xsl:when>
      <xsl:otherwise>
        <xsl:call-template name="period-sections"/>
      </xsl:otherwise>
    </xsl:choose>

    <section class="evidence">
      <h2>Evidence</h2>
      <dl>
        <dt>Period</dt>
        <dd><xsl:value-of select="concat($p/@from, ' up to, not including, ', $p/@until)"/></dd>
        <xsl:call-template name="store-head-html"/>
        <dt>Rebuild and check</dt>
        <dd><code>vouch report period <xsl:value-of select="$p/@label"/></code> rebuilds this report from the
          store alone; <code>vouch verify</code> recomputes the chains. Each run and drill has its own report.</dd>
      </dl>
      <p class="colophon">Rendered by vouch <xsl:value-of select="v:generator/@version"/> from its evidence store.
        Times are UTC; targets are recorded without passwords.</p>
    </section>
  </xsl:template>

  <xsl:template name="period-sections">
    <section>
      <h2>Restore drills and the quarterly cadence</h2>
      <p class="lede"><xsl:call-template name="drills-held-line"/></p>
      <div class="quarters">
        <xsl:for-each select="v:drills/v:quarter">
          <div class="quarter q-{@status}">
            <div class="quarter-label"><xsl:value-of select="@label"/></div>
            <div class="quarter-status">
              <xsl:choose>
                <xsl:when test="@status = 'met'">met · <xsl:value-of select="@held"/> drill<xsl:if test="@held != 1">s</xsl:if></xsl:when>
                <xsl:when test="@status = 'missed'"><b class="k-fail">missed</b> · no drill</xsl:when>
                <xsl:otherwise>part of the quarter · not judged</xsl:otherwise>
              </xsl:choose>
            </div>
          </div>
        </xsl:for-each>
      </div>
      <xsl:if test="v:drills/v:drill">
        <table class="results">
          <thead>
            <tr><th class="c-check">Drill</th><th class="c-value">Started</th><th class="c-reason">Scenario</th>
              <th class="c-value n">RTO</th><th class="c-value n">Data loss</th><th class="c-check">Outcome</th><th class="c-status">Gate</th></tr>
          </thead>
          <tbody>
            <xsl:for-each select="v:drills/v:drill">
              <xsl:variable name="ok" select="@outcome = 'met'"/>
              <tr>
                <xsl:if test="not($ok)"><xsl:attribute name="class"><xsl:value-of select="substring('row-failrow-warn', 1 + 8 * (@outcome = 'partial'), 8)"/></xsl:attribute></xsl:if>
                <td class="mono"><xsl:value-of select="@id"/></td>
                <td class="mono"><xsl:value-of select="substring(@started, 1, 10)"/></td>
                <td><xsl:value-of select="@scenario"/>
                  <xsl:if test="@operator"><span class="none"> · <xsl:value-of select="@operator"/></span></xsl:if>
                  <xsl:if test="@approved-by"><span class="none"> · approved by <xsl:value-of select="@approved-by"/></span></xsl:if>
                  <!-- the objectives recorded with the drill -->
                  <br/><span class="none">
                    <xsl:text>objectives: </xsl:text>
                    <xsl:call-template name="duration"><xsl:with-param name="ms" select="@target-ms"/></xsl:call-template>
                    <xsl:text> target · </xsl:text>
                    <xsl:call-template name="duration"><xsl:with-param name="ms" select="@limit-ms"/></xsl:call-template>
                    <xsl:text> RTO · </xsl:text>
                    <xsl:call-template name="duration"><xsl:with-param name="ms" select="@rpo-ms"/></xsl:call-template>
                    <xsl:text> RPO</xsl:text>
                    <xsl:if test="@drill-every">
                      <xsl:text> · due </xsl:text>
                      <xsl:if test="@drill-every != 'quarterly'">every </xsl:if>
                      <xsl:value-of select="@drill-every"/>
                    </xsl:if>
                  </span></td>
                <td class="mono n">
                  <xsl:choose>
                    <xsl:when test="@rto-ms"><xsl:call-template name="duration"><xsl:with-param name="ms" select="@rto-ms"/></xsl:call-template></xsl:when>
                    <xsl:otherwise><span class="none">none</span></xsl:otherwise>
                  </xsl:choose>
                </td>
                <td class="mono n">
                  <xsl:choose>
                    <xsl:when test="@data-loss-ms"><xsl:call-template name="duration"><xsl:with-param name="ms" select="@data-loss-ms"/></xsl:call-template></xsl:when>
                    <xsl:otherwise><span class="none">unknown</span></xsl:otherwise>
                  </xsl:choose>
                </td>
                <td>
                  <span class="badge b-{substring('passfailwarn', 1 + 4 * not($ok) + 4 * (@outcome = 'partial'), 4)}">
                    <xsl:choose>
                      <xsl:when test="@outcome = 'partial'">RTO met · data loss not measured</xsl:when>
                      <xsl:otherwise><xsl:value-of select="@outcome"/></xsl:otherwise>
                    </xsl:choose>
                  </span>
                </td>
                <td class="mono"><xsl:call-template name="value"><xsl:with-param name="n" select="@gate-run"/></xsl:call-template></td>
              </tr>
            </xsl:for-each>
          </tbody>
        </table>
      </xsl:if>
    </section>

    <section>
      <h2>Gates in the period</h2>
      <xsl:choose>
        <xsl:when test="v:gates/v:gate">
          <p class="lede">
            <xsl:value-of select="concat(v:gates/@total, ' run')"/><xsl:if test="v:gates/@total != 1">s</xsl:if>
            <xsl:value-of select="concat(': ', v:gates/@passed, ' passed, ', v:gates/@failed, ' failed')"/>
            <xsl:if test="v:gates/@other &gt; 0"><xsl:value-of select="concat(', ', v:gates/@other, ' aborted or unfinished')"/></xsl:if>
            <xsl:text>.</xsl:text>
            <xsl:if test="v:gates/@negative-controls">
              <xsl:value-of select="concat(' Negative control: ', v:gates/@negative-controls, ' ran it, ', v:gates/@negative-controls-able, ' showed every check able to fail.')"/>
            </xsl:if>
          </p>
          <xsl:if test="v:gates/@unapproved &gt; 0">
            <p class="callout bad"><xsl:value-of select="v:gates/@unapproved"/> passed gate<xsl:if test="v:gates/@unapproved != 1">s</xsl:if>
              without the <xsl:value-of select="v:gates/@approvals-required"/> signed approvals from distinct signers that [gate] approvals asks (marked below).</p>
          </xsl:if>
          <table class="results">
            <thead>
              <tr><th class="c-check">Run</th><th class="c-value">Started</th><th class="c-reason">Target</th>
                <th class="c-check">Outcome</th><th class="c-num n">Passed</th><th class="c-num n">Not passed</th><th class="c-value">Results</th><th class="c-check">Approvals</th></tr>
            </thead>
            <tbody>
              <xsl:for-each select="v:gates/v:gate">
                <xsl:variable name="ok" select="@status = 'passed'"/>
                <tr>
                  <xsl:if test="not($ok)"><xsl:attribute name="class">row-fail</xsl:attribute></xsl:if>
                  <td class="mono"><xsl:value-of select="@run"/><xsl:if test="@kind = 'check'"> (check)</xsl:if></td>
                  <td class="mono"><xsl:value-of select="concat(substring(@started, 1, 10), ' ', substring(@started, 12, 5))"/></td>
                  <td class="mono"><xsl:call-template name="count-words"><xsl:with-param name="s" select="@target"/><xsl:with-param name="html" select="true()"/></xsl:call-template></td>
                  <td><span class="badge b-{substring('passfail', 1 + 4 * not($ok), 4)}"><xsl:value-of select="@outcome"/></span>
                    <xsl:if test="@negative-control = 'able'"> <br/><span class="none">every check shown able to fail</span></xsl:if>
                    <xsl:if test="@negative-control = 'unable'"> <br/><span class="none">not every check shown able to fail</span></xsl:if></td>
                  <td class="mono n"><xsl:value-of select="@passed"/></td>
                  <td class="mono n"><xsl:value-of select="@warnings + @failed + @errors"/></td>
                  <td><xsl:call-template name="bar"><xsl:with-param name="c" select="."/><xsl:with-param name="h" select="8"/></xsl:call-template></td>
                  <td class="mono">
                    <xsl:choose>
                      <xsl:when test="@unapproved = 'true'"><span class="badge b-fail" title="not approved: fewer signers than [gate] approvals asks"><xsl:value-of select="concat(@approvals, ' of ', ../@approvals-required)"/></span></xsl:when>
                      <xsl:otherwise><xsl:value-of select="@approvals"/></xsl:otherwise>
                    </xsl:choose>
                  </td>
                </tr>
              </xsl:for-each>
            </tbody>
          </table>
        </xsl:when>
        <xsl:otherwise><p class="callout">No gate or check ran in this period.</p></xsl:otherwise>
      </xsl:choose>
    </section>

    <xsl:if test="v:checks/v:check">
      <section>
        <h2>Checks in the period</h2>
        <p class="lede">Every check that reported, with its results over all runs of the period and the worst status of its newest run.</p>
        <table class="results">
          <thead>
            <tr><th class="c-subject">Check</th><th class="c-value n">Runs</th><th class="c-value n">Passed</th><th class="c-value n">Warnings</th>
              <th class="c-value n">Failed</th><th class="c-value n">Errors</th><th class="c-value">Newest run</th></tr>
          </thead>
          <tbody>
            <xsl:for-each select="v:checks/v:check">
              <tr class="row-{@latest-status}">
                <td class="mono"><xsl:value-of select="@name"/></td>
                <td class="mono n"><xsl:value-of select="@runs"/></td>
                <td class="mono n"><xsl:value-of select="@passed"/></td>
                <td class="mono n"><xsl:value-of select="@warnings"/></td>
                <td class="mono n"><xsl:value-of select="@failed"/></td>
                <td class="mono n"><xsl:value-of select="@errors"/></td>
                <td><span class="badge b-{@latest-status}"><xsl:value-of select="@latest-status"/></span>
                  <span class="none"> run <xsl:value-of select="@latest-run"/></span></td>
              </tr>
            </xsl:for-each>
          </tbody>
        </table>
      </section>
    </xsl:if>

    <section>
      <h2>Backup policy</h2>
      <xsl:choose>
        <xsl:when test="v:backups/v:result">
          <p class="lede">As the newest run of the period that checked it saw the backups: run
            <xsl:value-of select="v:backups/@run"/>, <xsl:call-template name="when"><xsl:with-param name="t" select="v:backups/@as-of"/></xsl:call-template>.</p>
          <xsl:call-template name="result-table"><xsl:with-param name="rows" select="v:backups/v:result"/></xsl:call-template>
        </xsl:when>
        <xsl:otherwise><p class="callout">No run in this period checked the backup policy (the <code>backups</code> check).</p></xsl:otherwise>
      </xsl:choose>
    </section>

    <section>
      <h2>Residency evidence, month by month</h2>
      <xsl:choose>
        <xsl:when test="v:residency/@run">
          <p class="lede">The months the newest residency check of the period required: run
            <xsl:value-of select="v:residency/@run"/>, <xsl:call-template name="when"><xsl:with-param name="t" select="v:residency/@as-of"/></xsl:call-template>.</p>
          <xsl:if test="v:residency/v:month">
            <div class="months">
              <xsl:for-each select="v:residency/v:month">
                <div class="month m-{@status}">
                  <b><xsl:value-of select="@period"/></b>
                  <xsl:choose>
                    <xsl:when test="@status = 'present'">evidence present</xsl:when>
                    <xsl:when test="@status = 'missing'">MISSING</xsl:when>
                    <xsl:when test="@status = 'changed'">CHANGED since baseline</xsl:when>
                    <xsl:otherwise>outside region<xsl:if test="@regions">: <xsl:value-of select="@regions"/></xsl:if></xsl:otherwise>
                  </xsl:choose>
                </div>
              </xsl:for-each>
            </div>
          </xsl:if>
          <xsl:call-template name="result-table"><xsl:with-param name="rows" select="v:residency/v:result"/></xsl:call-template>
        </xsl:when>
        <xsl:otherwise><p class="callout">No run in this period checked residency evidence (the <code>residency</code> check).</p></xsl:otherwise>
      </xsl:choose>
    </section>

    <section>
      <h2>Open failures</h2>
      <xsl:choose>
        <xsl:when test="v:open-failures/v:failure">
          <p class="lede">The newest result of each check and subject in the period, where it did not pass.</p>
          <table class="results attention">
            <thead>
              <tr><th class="c-status">Status</th><th class="c-check">Check</th><th class="c-subject">Subject</th>
                <th class="c-value">Observed</th><th class="c-reason">Reason</th><th class="c-status">Run</th></tr>
            </thead>
            <tbody>
              <xsl:for-each select="v:open-failures/v:failure">
                <xsl:for-each select="v:result">
                  <tr class="row-{@status}">
                    <td><xsl:call-template name="badge"/></td>
                    <td class="mono"><xsl:call-template name="ident"><xsl:with-param name="s" select="@check"/></xsl:call-template></td>
                    <td class="mono"><xsl:call-template name="ident"><xsl:with-param name="s" select="v:subject"/></xsl:call-template></td>
                    <td class="mono num obs"><xsl:call-template name="value"><xsl:with-param name="n" select="v:observed"/></xsl:call-template></td>
                    <td><xsl:value-of select="v:reason"/><xsl:call-template name="waiver-note"/></td>
                    <td class="mono"><xsl:value-of select="../@run"/></td>
                  </tr>
                </xsl:for-each>
              </xsl:for-each>
            </tbody>
          </table>
        </xsl:when>
        <xsl:otherwise><p class="callout ok">None: the newest result of every check and subject in the period passed.</p></xsl:otherwise>
      </xsl:choose>
    </section>

    <section>
      <h2>Waivers</h2>
      <xsl:choose>
        <xsl:when test="v:waivers/v:waiver">
          <p class="lede">Every accepted deviation that applied to a run of the period: what it covers, until when,
            who approved it and why; its state is that of the newest run it applied to.</p>
          <xsl:call-template name="waivers-table"><xsl:with-param name="ws" select="v:waivers/v:waiver"/></xsl:call-template>
        </xsl:when>
        <xsl:otherwise><p class="callout ok">None: no waiver applied to a run of the period.</p></xsl:otherwise>
      </xsl:choose>
    </section>

    <section>
      <h2>Trends</h2>
      <div class="charts">
        <xsl:for-each select="v:trends/v:series[v:point]">
          <div class="panel">
            <h3 class="panel-title"><xsl:value-of select="@name"/></h3>
            <xsl:call-template name="bar-chart"><xsl:with-param name="series" select="."/></xsl:call-template>
          </div>
        </xsl:for-each>
      </div>
      <xsl:if test="not(v:trends/v:series[@unit = 'ms']/v:point)">
        <p class="callout">No drill in this period, so no RTO to chart.</p>
      </xsl:if>
    </section>
  </xsl:template>

  <!-- status, subject, expected, observed, reason (and the detail under a row that did not pass) -->
  <xsl:template name="result-table">
    <xsl:param name="rows"/>
    <table class="results">
      <thead>
        <tr><th class="c-status">Status</th><th class="c-subject">Subject</th><th class="c-value">Expected</th>
          <th class="c-value">Observed</th><th class="c-reason">Reason</th></tr>
      </thead>
      <tbody>
        <xsl:for-each select="$rows">
          <tr class="row-{@status}">
            <td><xsl:call-template name="badge"/></td>
            <td class="mono"><xsl:call-template name="ident"><xsl:with-param name="s" select="v:subject"/></xsl:call-template></td>
            <td class="mono num"><xsl:call-template name="value"><xsl:with-param name="n" select="v:expected"/></xsl:call-template></td>
            <td class="mono num obs"><xsl:call-template name="value"><xsl:with-param name="n" select="v:observed"/></xsl:call-template></td>
            <td><xsl:value-of select="v:reason"/><xsl:call-template name="waiver-note"/></td>
          </tr>
          <xsl:if test="v:detail and @status != 'pass'">
            <tr class="detail-row row-{@status}">
              <td></td>
              <td colspan="4"><pre class="detail"><xsl:value-of select="v:detail"/></pre></td>
            </tr>
          </xsl:if>
        </xsl:for-each>
      </tbody>
    </table>
  </xsl:template>
</xsl:stylesheet>
