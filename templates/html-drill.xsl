<?xml version="1.0" encoding="UTF-8"?>
<!--
  The drill report as HTML: verdict first, the drill's facts, the RTO and the data-loss
  window against their objectives, the phase timeline, the gate's results, follow-ups
  and the RTO of past drills. Included by html.xsl (which holds the CSS and the pieces).
-->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:v="urn:x-vouch:report"
                exclude-result-prefixes="v">

  <xsl:template match="v:drill-report" mode="title">
    <xsl:value-of select="concat('Drill report · drill ', v:drill/@id, ' · ', v:drill/@scenario, ' · ')"/>
    <xsl:call-template name="drill-headline"/>
  </xsl:template>

  <xsl:template match="v:drill-report" mode="footer">
    <xsl:value-of select="concat('vouch drill report · drill ', number(v:drill/@id))"/>
  </xsl:template>

  <xsl:template name="drill-headline">
    <xsl:variable name="o" select="/*/v:verdict/@outcome"/>
    <xsl:choose>
      <xsl:when test="$o = 'met'">Objectives met</xsl:when>
      <xsl:when test="$o = 'partial'">RTO met · data loss not measured</xsl:when>
      <xsl:when test="$o = 'missed'">Objectives missed</xsl:when>
      <xsl:when test="$o = 'failed'">Drill failed</xsl:when>
      <xsl:when test="$o = 'interrupted'">Drill interrupted</xsl:when>
      <xsl:otherwise>Drill still open</xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- [objectives] drill_every as a person reads it: "quarterly", "every 30d" -->
  <xsl:template name="drill-cadence">
    <xsl:param name="every"/>
    <xsl:choose>
      <xsl:when test="$every = 'quarterly'">quarterly</xsl:when>
      <xsl:otherwise><xsl:value-of select="concat('every ', $every)"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- pass / warn / fail / none for a judged objective -->
  <xsl:template name="judged-class">
    <xsl:param name="j"/>
    <xsl:choose>
      <xsl:when test="$j = 'within-target'">pass</xsl:when>
      <xsl:when test="$j = 'within-limit' and @name = 'rpo'">pass</xsl:when>
      <xsl:when test="$j = 'within-limit'">warn</xsl:when>
      <xsl:when test="$j = 'over-limit' or $j = 'not-achieved'">fail</xsl:when>
      <xsl:otherwise>none</xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="v:drill-report">
    <xsl:variable name="d" select="v:drill"/>
    <xsl:variable name="rto" select="v:objective[@name = 'rto']"/>
    <xsl:variable name="rpo" select="v:objective[@name = 'rpo']"/>
    <header class="masthead">
      <div class="eyebrow">
        <xsl:if test="string($organisation)">
          <span class="org"><xsl:value-of select="$organisation"/></span>
          <span class="dot"> · </span>
        </xsl:if>
        <xsl:text>Restore drill report</xsl:text>
      </div>
      <h1>Drill <xsl:value-of select="$d/@id"/><span class="h1-db"> · <xsl:value-of select="$d/@scenario"/></span></h1>
      <p class="sub">
        <xsl:call-template name="when"><xsl:with-param name="t" select="$d/@started"/></xsl:call-template>
        <xsl:if test="$d/@operator"> · operator <xsl:value-of select="$d/@operator"/></xsl:if>
      </p>
    </header>

    <section class="verdict v-{v:verdict/@outcome}" aria-label="verdict">
      <div class="verdict-text">
        <div class="verdict-label"><xsl:call-template name="drill-headline"/></div>
        <div class="verdict-line"><xsl:value-of select="v:verdict"/></div>
      </div>
      <div class="tiles">
        <div class="tile">
          <div class="tile-n small">
            <xsl:choose>
              <xsl:when test="$rto/@measured-ms"><xsl:call-template name="duration"><xsl:with-param name="ms" select="$rto/@measured-ms"/></xsl:call-template></xsl:when>
              <xsl:otherwise>—</xsl:otherwise>
            </xsl:choose>
          </div>
          <div class="tile-label">RTO</div>
        </div>
        <div class="tile">
          <div class="tile-n small">
            <xsl:choose>
              <xsl:when test="$rpo/@measured-ms"><xsl:call-template name="duration"><xsl:with-param name="ms" select="$rpo/@measured-ms"/></xsl:call-template></xsl:when>
              <xsl:otherwise>unknown</xsl:otherwise>
            </xsl:choose>
          </div>
          <div class="tile-label">data loss</div>
        </div>
        <div class="tile">
          <div class="tile-n small">
            <xsl:choose>
              <xsl:when test="v:gate/v:verdict/@outcome = 'open'">open</xsl:when>
              <xsl:when test="v:gate"><xsl:value-of select="v:gate/v:verdict/@outcome"/></xsl:when>
              <xsl:otherwise>none</xsl:otherwise>
            </xsl:choose>
          </div>
          <div class="tile-label">gate</div>
        </div>
      </div>
    </section>

    <section class="facts" aria-label="the drill">
      <xsl:call-template name="fact">
        <xsl:with-param name="k" select="'Scenario'"/>
        <xsl:with-param name="v" select="$d/@scenario"/>
        <xsl:with-param name="wide" select="true()"/>
      </xsl:call-template>
      <xsl:call-template name="fact">
        <xsl:with-param name="k" select="'Operator'"/>
        <xsl:with-param name="v" select="$d/@operator"/>
      </xsl:call-template>
      <xsl:if test="$d/@approved-by">
        <xsl:call-template name="fact">
          <xsl:with-param name="k" select="'Approved reopening'"/>
          <xsl:with-param name="v" select="$d/@approved-by"/>
        </xsl:call-template>
      </xsl:if>
      <xsl:call-template name="fact">
        <xsl:with-param name="k" select="'Incident'"/>
        <xsl:with-param name="v"><xsl:call-template name="when"><xsl:with-param name="t" select="$d/@incident"/></xsl:call-template></xsl:with-param>
      </xsl:call-template>
      <xsl:call-template name="fact">
        <xsl:with-param name="k" select="'Drill started'"/>
        <xsl:with-param name="v"><xsl:call-template name="when"><xsl:with-param name="t" select="$d/@started"/></xsl:call-template></xsl:with-param>
      </xsl:call-template>
      <xsl:call-template name="fact">
        <xsl:with-param name="k" select="'Drill ended'"/>
        <xsl:with-param name="v">
          <xsl:call-template name="when"><xsl:with-param name="t" select="$d/@finished"/></xsl:call-template>
          <xsl:if test="$d/@finished"> (<xsl:value-of select="$d/@status"/>)</xsl:if>
        </xsl:with-param>
      </xsl:call-template>
      <xsl:call-template name="fact">
        <xsl:with-param name="k" select="'Restore start'"/>
        <xsl:with-param name="v"><xsl:call-template name="when"><xsl:with-param name="t" select="$d/@restore-start"/></xsl:call-template></xsl:with-param>
      </xsl:call-template>
      <xsl:call-template name="fact">
        <xsl:with-param name="k" select="'Restore end'"/>
        <xsl:with-param name="v"><xsl:call-template name="when"><xsl:with-param name="t" select="$d/@restore-end"/></xsl:call-template></xsl:with-param>
      </xsl:call-template>
      <xsl:call-template name="fact">
        <xsl:with-param name="k" select="'Restore point'"/>
        <xsl:with-param name="v">
          <xsl:call-template name="when"><xsl:with-param name="t" select="$rpo/@restore-point"/></xsl:call-template>
          <xsl:if test="$rpo/@source"> (from <xsl:value-of select="$rpo/@source"/>)</xsl:if>
        </xsl:with-param>
      </xsl:call-template>
      <xsl:if test="$d/@drill-every">
        <xsl:call-template name="fact">
          <xsl:with-param name="k" select="'Drills due'"/>
          <xsl:with-param name="v"><xsl:call-template name="drill-cadence"><xsl:with-param name="every" select="$d/@drill-every"/></xsl:call-template></xsl:with-param>
        </xsl:call-template>
      </xsl:if>
      <xsl:call-template name="fact">
        <xsl:with-param name="k" select="'Clock · vouch'"/>
        <xsl:with-param name="v">
          <xsl:if test="$d/@clock"><xsl:value-of select="concat($d/@clock, ' · ', $d/@tool-version)"/></xsl:if>
        </xsl:with-param>
      </xsl:call-template>
      <xsl:if test="$d/v:restore-command">
        <xsl:call-template name="fact">
          <xsl:with-param name="k" select="'Restore command'"/>
          <xsl:with-param name="v">
            <xsl:value-of select="$d/v:restore-command"/>
            <xsl:if test="$d/@restore-exit"> (exit status <xsl:value-of select="$d/@restore-exit"/>)</xsl:if>
          </xsl:with-param>
          <xsl:with-param name="mono" select="true()"/>
          <xsl:with-param name="wide" select="true()"/>
        </xsl:call-template>
      </xsl:if>
      <xsl:if test="$d/v:smoke">
        <xsl:call-template name="fact">
          <xsl:with-param name="k" select="'Smoke tests'"/>
          <xsl:with-param name="v">
            <xsl:value-of select="$d/v:smoke"/>
            <xsl:if test="$d/v:smoke/@exit"> (exit status <xsl:value-of select="$d/v:smoke/@exit"/>, <xsl:call-template name="duration"><xsl:with-param name="ms" select="$d/v:smoke/@duration-ms"/></xsl:call-template>)</xsl:if>
            <xsl:if test="$d/v:smoke/@output-sha256"> · output sha256 <xsl:value-of select="$d/v:smoke/@output-sha256"/></xsl:if>
          </xsl:with-param>
          <xsl:with-param name="mono" select="true()"/>
          <xsl:with-param name="wide" select="true()"/>
        </xsl:call-template>
      </xsl:if>
      <xsl:if test="$d/v:error">
        <xsl:call-template name="fact">
          <xsl:with-param name="k" select="'Why it ended'"/>
          <xsl:with-param name="v" select="$d/v:error"/>
          <xsl:with-param name="wide" select="true()"/>
        </xsl:call-template>
      </xsl:if>
    </section>

    <section>
      <h2>Objectives</h2>
      <div class="objectives">
        <xsl:for-each select="$rto">
          <xsl:variable name="cls"><xsl:call-template name="judged-class"><xsl:with-param name="j" select="@judged"/></xsl:call-template></xsl:variable>
          <div class="objective">
            <div class="objective-head">
              <span class="objective-name">Recovery time (RTO)</span>
              <span class="judged j-{$cls}">
                <xsl:choose>
                  <xsl:when test="@judged = 'within-target'">within target</xsl:when>
                  <xsl:when test="@judged = 'within-limit'">over target, within RTO</xsl:when>
                  <xsl:when test="@judged = 'over-limit'">over the RTO</xsl:when>
                  <xsl:when test="@judged = 'open'">drill open</xsl:when>
                  <xsl:otherwise>not achieved</xsl:otherwise>
                </xsl:choose>
              </span>
            </div>
            <div class="objective-value">
              <xsl:choose>
                <xsl:when test="@measured-ms"><xsl:call-template name="duration"><xsl:with-param name="ms" select="@measured-ms"/></xsl:call-template></xsl:when>
                <xsl:otherwise>no RTO</xsl:otherwise>
              </xsl:choose>
            </div>
            <div class="objective-line">
              <xsl:choose>
                <xsl:when test="@measured-ms">from the drill's start to service restored, against the </xsl:when>
                <xsl:when test="@ran-ms">service was not restored; the drill ran <xsl:call-template name="duration"><xsl:with-param name="ms" select="@ran-ms"/></xsl:call-template>. Objectives: </xsl:when>
                <xsl:otherwise>not measured yet. Objectives: </xsl:otherwise>
              </xsl:choose>
              <xsl:call-template name="duration"><xsl:with-param name="ms" select="@target-ms"/></xsl:call-template>
              <xsl:text> drill target and the </xsl:text>
              <xsl:call-template name="duration"><xsl:with-param name="ms" select="@limit-ms"/></xsl:call-template>
              <xsl:text> RTO</xsl:text>
            </div>
            <xsl:call-template name="gauge">
              <xsl:with-param name="measured" select="string(@measured-ms | @ran-ms[not(../@measured-ms)])"/>
              <xsl:with-param name="target" select="@target-ms"/>
              <xsl:with-param name="target-label"><xsl:call-template name="duration"><xsl:with-param name="ms" select="@target-ms"/></xsl:call-template> target</xsl:with-param>
              <xsl:with-param name="limit" select="@limit-ms"/>
              <xsl:with-param name="limit-label"><xsl:call-template name="duration"><xsl:with-param name="ms" select="@limit-ms"/></xsl:call-template> RTO</xsl:with-param>
              <xsl:with-param name="cls">
                <xsl:choose>
                  <xsl:when test="@measured-ms"><xsl:value-of select="$cls"/></xsl:when>
                  <xsl:otherwise>none</xsl:otherwise>
                </xsl:choose>
              </xsl:with-param>
            </xsl:call-template>
          </div>
        </xsl:for-each>
        <xsl:for-each select="$rpo">
          <xsl:variable name="cls"><xsl:call-template name="judged-class"><xsl:with-param name="j" select="@judged"/></xsl:call-template></xsl:variable>
          <div class="objective">
            <div class="objective-head">
              <span class="objective-name">Data-loss window (RPO)</span>
              <span class="judged j-{$cls}">
                <xsl:choose>
                  <xsl:when test="@judged = 'within-limit'">within the RPO</xsl:when>
                  <xsl:when test="@judged = 'over-limit'">over the RPO</xsl:when>
                  <xsl:otherwise>unknown</xsl:otherwise>
                </xsl:choose>
              </span>
            </div>
            <div class="objective-value">
              <xsl:choose>
                <xsl:when test="@measured-ms"><xsl:call-template name="duration"><xsl:with-param name="ms" select="@measured-ms"/></xsl:call-template></xsl:when>
                <xsl:otherwise>unknown</xsl:otherwise>
              </xsl:choose>
            </div>
            <div class="objective-line">
              <xsl:choose>
                <xsl:when test="@measured-ms">from the restored data's newest to the incident, against the </xsl:when>
                <xsl:otherwise>no restore point was recorded, so it is not guessed. Objective: </xsl:otherwise>
              </xsl:choose>
              <xsl:call-template name="duration"><xsl:with-param name="ms" select="@limit-ms"/></xsl:call-template>
              <xsl:text> RPO</xsl:text>
            </div>
            <xsl:call-template name="gauge">
              <xsl:with-param name="measured" select="string(@measured-ms)"/>
              <xsl:with-param name="limit" select="@limit-ms"/>
              <xsl:with-param name="limit-label"><xsl:call-template name="duration"><xsl:with-param name="ms" select="@limit-ms"/></xsl:call-template> RPO</xsl:with-param>
              <xsl:with-param name="cls" select="$cls"/>
            </xsl:call-template>
          </div>
        </xsl:for-each>
      </div>
    </section>

    <section>
      <xsl:choose>
        <xsl:when test="v:phases/v:phase">
          <!-- the heading, its line and the chart print together -->
          <figure class="keep">
            <h2>Timeline</h2>
            <p class="lede">Each step runs from the previous mark (or the drill's start) to its own mark, on one scale;
              <xsl:call-template name="duration"><xsl:with-param name="ms" select="v:phases/@total-ms"/></xsl:call-template> in all.</p>
            <xsl:call-template name="timeline"><xsl:with-param name="phases" select="v:phases"/></xsl:call-template>
          </figure>
          <table class="results">
            <thead>
              <tr><th class="c-subject">Step</th><th class="c-value">Started</th><th class="c-value">Ended</th><th class="c-value n">Took</th><th class="c-reason">Note</th></tr>
            </thead>
            <tbody>
              <xsl:for-each select="v:phases/v:phase">
                <tr>
                  <td><xsl:value-of select="@name"/></td>
                  <td class="mono"><xsl:value-of select="substring(@start, 12, 8)"/></td>
                  <td class="mono"><xsl:value-of select="substring(@end, 12, 8)"/></td>
                  <td class="mono n"><xsl:call-template name="duration"><xsl:with-param name="ms" select="@duration-ms"/></xsl:call-template></td>
                  <td><xsl:call-template name="value"><xsl:with-param name="n" select="v:note"/></xsl:call-template></td>
                </tr>
              </xsl:for-each>
            </tbody>
          </table>
        </xsl:when>
        <xsl:otherwise><h2>Timeline</h2><p class="callout">No phase was recorded.</p></xsl:otherwise>
      </xsl:choose>
    </section>

    <section>
      <h2>The gate</h2>
      <xsl:choose>
        <xsl:when test="v:gate">
          <xsl:variable name="g" select="v:gate"/>
          <div class="gate-line">
            <span class="badge b-{substring('passfail', 1 + 4 * ($g/v:verdict/@outcome != 'open' and $g/v:verdict/@outcome != 'passed'), 4)}">
              <xsl:value-of select="$g/v:verdict/@outcome"/>
            </span>
            <span>
              <xsl:text>Run </xsl:text><xsl:value-of select="$g/v:run/@id"/>
              <xsl:text> on </xsl:text><code><xsl:value-of select="$g/v:target"/></code>
              <xsl:text>: </xsl:text><xsl:value-of select="$g/v:verdict"/>
            </span>
          </div>
          <xsl:variable name="attention" select="$g/v:checks/v:check/v:result[@status != 'pass']"/>
          <xsl:if test="$attention">
            <h3 class="panel-title">What needs attention</h3>
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
                    <td class="mono"><xsl:call-template name="ident"><xsl:with-param name="s" select="v:subject"/></xsl:call-template></td>
                    <td class="mono num"><xsl:call-template name="value"><xsl:with-param name="n" select="v:expected"/></xsl:call-template></td>
                    <td class="mono num obs"><xsl:call-template name="value"><xsl:with-param name="n" select="v:observed"/></xsl:call-template></td>
                    <td><xsl:value-of select="v:reason"/><xsl:call-template name="waiver-note"/></td>
                  </tr>
                </xsl:for-each>
              </tbody>
            </table>
          </xsl:if>
          <xsl:if test="$g/v:approvals">
            <h3 class="panel-title">Approval</h3>
            <xsl:call-template name="approvals-html"><xsl:with-param name="a" select="$g/v:approvals"/></xsl:call-template>
          </xsl:if>
          <xsl:if test="$g/v:waivers">
            <h3 class="panel-title">Waivers</h3>
            <xsl:call-template name="waivers-table"><xsl:with-param name="ws" select="$g/v:waivers/v:waiver"/></xsl:call-template>
          </xsl:if>
          <xsl:apply-templates select="$g/v:checks/v:check"/>
        </xsl:when>
        <xsl:when test="v:drill/v:restore-command">
          <p class="callout">The gate did not run: the drill ended before it, so nothing proves the restored data whole.</p>
        </xsl:when>
        <xsl:otherwise>
          <p class="callout">No gate run is linked to this drill, so it does not prove the restored data whole.
            (A gate run while the drill is open is linked to it: run <code>vouch gate</code> before <code>vouch drill finish</code>.)</p>
        </xsl:otherwise>
      </xsl:choose>
      <xsl:if test="v:linked-runs/v:run">
        <h3 class="panel-title">Runs while the drill was open</h3>
        <table class="results">
          <thead>
            <tr><th class="c-check">Run</th><th class="c-status">Status</th><th class="c-value">Started</th><th class="c-reason">Verdict</th></tr>
          </thead>
          <tbody>
            <xsl:for-each select="v:linked-runs/v:run">
              <tr>
                <td class="mono"><xsl:value-of select="concat(@kind, ' ', @id)"/><xsl:if test="@id = /*/v:gate/v:run/@id"> (the drill's gate)</xsl:if></td>
                <td><span class="badge b-{substring('passfailwarn', 1 + 4 * (@status = 'failed') + 8 * (@status != 'failed' and @status != 'passed'), 4)}"><xsl:value-of select="@status"/></span></td>
                <td class="mono"><xsl:value-of select="substring(@started, 12, 8)"/></td>
                <td><xsl:value-of select="."/></td>
              </tr>
            </xsl:for-each>
          </tbody>
        </table>
      </xsl:if>
    </section>

    <section>
      <h2>Issues and follow-ups</h2>
      <xsl:choose>
        <xsl:when test="v:follow-ups/v:item">
          <ol class="follow-ups">
            <xsl:for-each select="v:follow-ups/v:item">
              <li>
                <span class="src">
                  <xsl:choose>
                    <xsl:when test="@source = 'note'">operator</xsl:when>
                    <xsl:when test="@source = 'gate'"><xsl:value-of select="@check"/></xsl:when>
                    <xsl:otherwise><xsl:value-of select="@source"/></xsl:otherwise>
                  </xsl:choose>
                </span>
                <xsl:if test="@subject"><code><xsl:value-of select="@subject"/></code>: </xsl:if>
                <xsl:value-of select="."/>
              </li>
            </xsl:for-each>
          </ol>
        </xsl:when>
        <xsl:otherwise><p class="callout ok">None: the drill met both objectives and the gate passed.</p></xsl:otherwise>
      </xsl:choose>
    </section>

    <section>
      <figure class="keep">
      <h2>RTO across drills</h2>
      <xsl:for-each select="v:history/v:series">
        <p class="lede">
          <xsl:choose>
            <xsl:when test="count(v:point) = 1">The first drill: no earlier RTO to compare it with.</xsl:when>
            <xsl:otherwise>
              <xsl:value-of select="count(v:point)"/>
              <xsl:text> drills up to this one, oldest first; the dashed line is the drill target, the solid line the RTO.</xsl:text>
            </xsl:otherwise>
          </xsl:choose>
        </p>
        <xsl:call-template name="bar-chart"><xsl:with-param name="series" select="."/></xsl:call-template>
      </xsl:for-each>
      </figure>
    </section>

    <section class="evidence">
      <h2>Evidence</h2>
      <dl>
        <xsl:choose>
          <xsl:when test="$d/v:chain">
            <dt>Sealed in the store</dt>
            <dd>position <xsl:value-of select="$d/v:chain/@position"/> of the store’s drill chain</dd>
            <dt>Drill digest</dt>
            <dd class="mono hash"><xsl:value-of select="$d/v:chain/@digest"/></dd>
          </xsl:when>
          <xsl:otherwise>
            <dt>Sealed in the store</dt><dd>not yet: the drill has not ended</dd>
          </xsl:otherwise>
        </xsl:choose>
        <xsl:if test="v:gate/v:chain">
          <dt>Gate run digest</dt>
          <dd class="mono hash"><xsl:value-of select="v:gate/v:chain/@digest"/></dd>
        </xsl:if>
        <xsl:call-template name="store-head-html"/>
        <dt>Rebuild and check</dt>
        <dd><code>vouch report drill <xsl:value-of select="$d/@id"/></code> rebuilds this report from the
          store alone; <code>vouch verify</code> recomputes the chains.</dd>
      </dl>
      <p class="colophon">Rendered by vouch <xsl:value-of select="v:generator/@version"/> from its evidence store.
        Times are UTC.</p>
    </section>
  </xsl:template>
</xsl:stylesheet>
