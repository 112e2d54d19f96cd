<?xml version="1.0" encoding="UTF-8"?>
<!--
  vouch report -> Markdown (CommonMark with GitHub tables) for a docs repository,
  e.g. a runbook's _generated/ folder. Table cells are escaped so that a value
  holding | * _ ` [ ] < & stays text; details go into fenced code blocks.
  Parameters: organisation (text for the heading; optional).
-->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:v="urn:x-vouch:report"
                exclude-result-prefixes="v">

  <xsl:include href="common.xsl"/>
  <xsl:include href="markdown-drill.xsl"/>
  <xsl:include href="markdown-period.xsl"/>

  <xsl:output method="text" encoding="UTF-8"/>
  <xsl:strip-space elements="*"/>
  <xsl:param name="organisation" select="''"/>

  <xsl:variable name="nl" select="'&#10;'"/>

  <xsl:template match="/">
    <xsl:apply-templates select="*"/>
  </xsl:template>

  <xsl:template match="*">
    <xsl:value-of select="concat('# vouch report', $nl, $nl,
      'This stylesheet cannot show a report of kind `', local-name(), '`; render it with --format xml.', $nl)"/>
  </xsl:template>

  <!-- ================= gate report ================= -->

  <xsl:template match="v:gate-report">
    <xsl:variable name="vd" select="v:verdict"/>
    <xsl:text># </xsl:text>
    <xsl:choose>
      <xsl:when test="v:run/@kind = 'check'">Check run </xsl:when>
      <xsl:otherwise>Gate run </xsl:otherwise>
    </xsl:choose>
    <xsl:value-of select="v:run/@id"/>
    <xsl:if test="v:target/@database">
      <xsl:text> · </xsl:text>
      <xsl:call-template name="esc"><xsl:with-param name="s" select="v:target/@database"/></xsl:call-template>
    </xsl:if>
    <xsl:value-of select="concat($nl, $nl)"/>
    <xsl:if test="string($organisation)">
      <xsl:call-template name="esc"><xsl:with-param name="s" select="$organisation"/></xsl:call-template>
      <xsl:text> · </xsl:text>
    </xsl:if>
    <xsl:text>Post-restore gate report · </xsl:text>
    <xsl:call-template name="when"><xsl:with-param name="t" select="v:run/@started"/></xsl:call-template>
    <xsl:value-of select="concat($nl, $nl)"/>

    <!-- the verdict, first -->
    <xsl:text>&gt; **</xsl:text>
    <xsl:call-template name="headline"/>
    <xsl:text>**: </xsl:text>
    <xsl:call-template name="advice"/>
    <xsl:value-of select="$nl"/>
    <xsl:if test="v:run/v:error">
      <xsl:text>&gt;&#10;&gt; </xsl:text>
      <xsl:call-template name="esc"><xsl:with-param name="s" select="v:run/v:error"/></xsl:call-template>
      <xsl:value-of select="$nl"/>
    </xsl:if>
    <xsl:value-of select="$nl"/>
    <xsl:text>| Results | Passed | Warnings | Failed | Errors |&#10;|---:|---:|---:|---:|---:|&#10;</xsl:text>
    <xsl:value-of select="concat('| ', $vd/@results, ' | ', $vd/@passed, ' | ', $vd/@warnings, ' | ',
                                 $vd/@failed, ' | ', $vd/@errors, ' |', $nl, $nl)"/>

    <xsl:text>## The run&#10;&#10;| | |&#10;|---|---|&#10;</xsl:text>
    <xsl:call-template name="fact">
      <xsl:with-param name="k" select="'Target'"/>
      <xsl:with-param name="v" select="v:target"/>
      <xsl:with-param name="code" select="true()"/>
    </xsl:call-template>
    <xsl:call-template name="fact">
      <xsl:with-param name="k" select="'Run'"/>
      <xsl:with-param name="v" select="concat(v:run/@id, ' (', v:run/@kind, ', ', v:run/@status, ')')"/>
    </xsl:call-template>
    <xsl:call-template name="fact">
      <xsl:with-param name="k" select="'Baseline'"/>
      <xsl:with-param name="v"><xsl:if test="v:run/@baseline">run <xsl:value-of select="v:run/@baseline"/></xsl:if></xsl:with-param>
    </xsl:call-template>
    <xsl:call-template name="fact">
      <xsl:with-param name="k" select="'Started'"/>
      <xsl:with-param name="v"><xsl:call-template name="when"><xsl:with-param name="t" select="v:run/@started"/></xsl:call-template></xsl:with-param>
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
      <xsl:with-param name="v"><xsl:call-template name="when"><xsl:with-param name="t" select="v:server/@snapshot-time"/></xsl:call-template></xsl:with-param>
    </xsl:call-template>
    <xsl:call-template name="fact">
      <xsl:with-param name="k" select="'Server'"/>
      <xsl:with-param name="v"><xsl:if test="v:server/@version">PostgreSQL <xsl:value-of select="v:server/@version"/></xsl:if></xsl:with-param>
    </xsl:call-template>
    <xsl:call-template name="fact">
      <xsl:with-param name="k" select="'System identifier'"/>
      <xsl:with-param name="v" select="v:server/@system-identifier"/>
      <xsl:with-param name="code" select="true()"/>
    </xsl:call-template>
    <xsl:call-template name="fact">
      <xsl:with-param name="k" select="'Timeline, LSN'"/>
      <xsl:with-param name="v"><xsl:if test="v:server"><xsl:value-of select="concat(v:server/@timeline, ', ', v:server/@lsn)"/></xsl:if></xsl:with-param>
      <xsl:with-param name="code" select="true()"/>
    </xsl:call-template>
    <xsl:call-template name="fact">
      <xsl:with-param name="k" select="'vouch'"/>
      <xsl:with-param name="v" select="v:run/@tool-version"/>
    </xsl:call-template>
    <xsl:if test="v:run/@incident-at">
      <xsl:call-template name="fact">
        <xsl:with-param name="k" select="'Incident at'"/>
        <xsl:with-param name="v"><xsl:call-template name="when"><xsl:with-param name="t" select="v:run/@incident-at"/></xsl:call-template></xsl:with-param>
      </xsl:call-template>
    </xsl:if>
    <xsl:if test="v:run/@started-by or v:run/@host">
      <xsl:call-template name="fact">
        <xsl:with-param name="k" select="'Started by'"/>
        <xsl:with-param name="v" select="concat(v:run/@started-by, substring(' on ', 1, 4 * number(boolean(v:run/@started-by and v:run/@host))), v:run/@host)"/>
      </xsl:call-template>
    </xsl:if>
    <!-- escaped text, never a link: Markdown renderers would make one of any URL given as [..](..) -->
    <xsl:if test="v:run/v:ci-job">
      <xsl:call-template name="fact">
        <xsl:with-param name="k" select="'CI job'"/>
        <xsl:with-param name="v" select="string(v:run/v:ci-job)"/>
      </xsl:call-template>
    </xsl:if>
    <xsl:value-of select="$nl"/>

    <xsl:text>## What needs attention&#10;&#10;</xsl:text>
    <xsl:variable name="attention" select="v:checks/v:check/v:result[@status != 'pass']"/>
    <xsl:choose>
      <xsl:when test="$attention">
        <xsl:text>| Status | Check | Subject | Expected | Observed | Reason |&#10;|---|---|---|---|---|---|&#10;</xsl:text>
        <xsl:for-each select="$attention">
          <xsl:text>| </xsl:text><xsl:call-template name="status"/>
          <xsl:text> | </xsl:text><xsl:call-template name="esc"><xsl:with-param name="s" select="../@name"/></xsl:call-template>
          <xsl:call-template name="cells"/>
        </xsl:for-each>
        <xsl:value-of select="$nl"/>
      </xsl:when>
      <xsl:when test="$vd/@results = 0">
        <xsl:value-of select="concat('No results were recorded.', $nl, $nl)"/>
      </xsl:when>
      <xsl:otherwise>
        <xsl:value-of select="concat('Nothing: every one of the ', $vd/@results, ' results passed.', $nl, $nl)"/>
      </xsl:otherwise>
    </xsl:choose>

    <xsl:if test="v:approvals">
      <xsl:text>## Approval&#10;&#10;</xsl:text>
      <xsl:call-template name="approvals-md"><xsl:with-param name="a" select="v:approvals"/></xsl:call-template>
    </xsl:if>

    <xsl:if test="v:waivers">
      <xsl:text>## Waivers&#10;&#10;Accepted deviations configured as waiver sections: each failure one covers is shown as waived, never as passed.&#10;&#10;</xsl:text>
      <xsl:call-template name="waivers-md"><xsl:with-param name="ws" select="v:waivers/v:waiver"/></xsl:call-template>
    </xsl:if>

    <xsl:if test="v:negative-control">
      <xsl:text>## Negative control&#10;&#10;Every check was run once more against a copy of its baseline perturbed in memory and had to fail.&#10;&#10;</xsl:text>
      <xsl:call-template name="esc">
        <xsl:with-param name="s" select="concat(translate(substring(v:negative-control, 1, 1), 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'), substring(v:negative-control, 2), '.')"/>
      </xsl:call-template>
      <xsl:value-of select="concat($nl, $nl)"/>
    </xsl:if>

    <xsl:text>## Results by check&#10;&#10;</xsl:text>
    <xsl:if test="not(v:checks/v:check)">
      <xsl:value-of select="concat('No check ran.', $nl, $nl)"/>
    </xsl:if>
    <xsl:apply-templates select="v:checks/v:check"/>

    <xsl:text>## Evidence&#10;&#10;</xsl:text>
    <xsl:choose>
      <xsl:when test="v:chain">
        <xsl:value-of select="concat('- Sealed at position ', v:chain/@position, ' of the store’s hash chain', $nl)"/>
        <xsl:value-of select="concat('- Run digest: `', v:chain/@digest, '`', $nl)"/>
        <xsl:choose>
          <xsl:when test="string(v:chain/@previous)">
            <xsl:value-of select="concat('- Previous digest: `', v:chain/@previous, '`', $nl)"/>
          </xsl:when>
          <xsl:otherwise><xsl:value-of select="concat('- Previous digest: none (the first sealed run)', $nl)"/></xsl:otherwise>
        </xsl:choose>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="concat('- Not sealed yet: the run has not finished', $nl)"/></xsl:otherwise>
    </xsl:choose>
    <xsl:call-template name="store-head-md"/>
    <xsl:value-of select="concat('- Rebuild: `vouch report run ', v:run/@id,
                                 '` (from the store alone); `vouch verify` recomputes the chain', $nl, $nl)"/>
    <xsl:value-of select="concat('_Rendered by vouch ', v:generator/@version,
                                 ' from its evidence store. The target is recorded without its password._', $nl)"/>
  </xsl:template>

  <xsl:template match="v:check">
    <xsl:value-of select="concat('### ', @name, ' — ')"/>
    <xsl:call-template name="count"><xsl:with-param name="n" select="@passed"/></xsl:call-template>
    <xsl:text> passed</xsl:text>
    <xsl:if test="@warnings &gt; 0">
      <xsl:value-of select="concat(', ', @warnings, ' warning')"/><xsl:if test="@warnings != 1">s</xsl:if>
    </xsl:if>
    <xsl:if test="@failed &gt; 0"><xsl:value-of select="concat(', ', @failed, ' failed')"/></xsl:if>
    <xsl:if test="@errors &gt; 0">
      <xsl:value-of select="concat(', ', @errors, ' error')"/><xsl:if test="@errors != 1">s</xsl:if>
    </xsl:if>
    <xsl:value-of select="concat($nl, $nl)"/>
    <!-- a long report lists what did not pass and counts the passing results -->
    <xsl:variable name="fold" select="ancestor::*[v:verdict][1]/v:verdict/@results &gt; $fold-over"/>
    <xsl:variable name="shown" select="v:result[not($fold) or @status != 'pass']"/>
    <xsl:variable name="folded" select="count(v:result) - count($shown)"/>
    <xsl:choose>
      <xsl:when test="v:result">
        <xsl:if test="$shown">
          <xsl:text>| Status | Subject | Expected | Observed | Reason |&#10;|---|---|---|---|---|&#10;</xsl:text>
          <xsl:for-each select="$shown">
            <xsl:text>| </xsl:text><xsl:call-template name="status"/>
            <xsl:call-template name="cells"/>
          </xsl:for-each>
          <xsl:value-of select="$nl"/>
        </xsl:if>
        <!-- a check that passed whole is its heading alone -->
        <xsl:if test="$folded &gt; 0 and $shown">
          <xsl:call-template name="count"><xsl:with-param name="n" select="$folded"/></xsl:call-template>
          <xsl:choose>
            <xsl:when test="$folded = 1"> passed result is not listed</xsl:when>
            <xsl:otherwise> passed results are not listed</xsl:otherwise>
          </xsl:choose>
          <xsl:value-of select="concat(' (`vouch report run ', ancestor-or-self::*[v:run][1]/v:run/@id,
                                       ' --format csv` lists every result).', $nl, $nl)"/>
        </xsl:if>
        <xsl:for-each select="$shown[v:detail]">
          <xsl:text>**</xsl:text>
          <xsl:call-template name="esc"><xsl:with-param name="s" select="v:subject"/></xsl:call-template>
          <xsl:value-of select="concat('** (', @status, '):', $nl, $nl)"/>
          <xsl:variable name="fence">
            <xsl:choose>
              <xsl:when test="not(contains(v:detail, '```'))">```</xsl:when>
              <xsl:when test="not(contains(v:detail, '~~~~'))">~~~~</xsl:when>
              <xsl:otherwise>~~~~~~~~~~~~~~~~</xsl:otherwise>
            </xsl:choose>
          </xsl:variable>
          <xsl:value-of select="concat($fence, 'text', $nl, v:detail, $nl, $fence, $nl, $nl)"/>
        </xsl:for-each>
      </xsl:when>
      <xsl:otherwise>
        <xsl:value-of select="concat('This check recorded no result.', $nl, $nl)"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- " | subject | expected | observed | reason |" and the line end -->
  <xsl:template name="cells">
    <xsl:text> | </xsl:text><xsl:call-template name="opt"><xsl:with-param name="n" select="v:subject"/></xsl:call-template>
    <xsl:text> | </xsl:text><xsl:call-template name="opt"><xsl:with-param name="n" select="v:expected"/></xsl:call-template>
    <xsl:text> | </xsl:text><xsl:call-template name="opt"><xsl:with-param name="n" select="v:observed"/></xsl:call-template>
    <xsl:text> | </xsl:text><xsl:call-template name="esc"><xsl:with-param name="s" select="v:reason"/></xsl:call-template>
    <xsl:if test="@status = 'waived'">
      <xsl:variable name="w" select="ancestor::*[v:waivers][1]/v:waivers/v:waiver[@name = current()/@waiver][1]"/>
      <xsl:text> — waived by </xsl:text>
      <xsl:call-template name="esc"><xsl:with-param name="s" select="@waiver"/></xsl:call-template>
      <xsl:if test="$w">
        <xsl:value-of select="concat(' until ', $w/@expires)"/>
        <xsl:if test="$w/@approved-by">
          <xsl:text>, approved by </xsl:text>
          <xsl:call-template name="esc"><xsl:with-param name="s" select="$w/@approved-by"/></xsl:call-template>
        </xsl:if>
        <xsl:text>: </xsl:text>
        <xsl:call-template name="esc"><xsl:with-param name="s" select="$w"/></xsl:call-template>
      </xsl:if>
    </xsl:if>
    <xsl:text> |&#10;</xsl:text>
  </xsl:template>

  <!-- every waiver of a run or a period, as a table -->
  <!-- who let people back in: each signed approval of the run (docs/approvals.md) -->
  <xsl:template name="approvals-md">
    <xsl:param name="a"/>
    <xsl:choose>
      <xsl:when test="$a/v:approval">
        <xsl:for-each select="$a/v:approval">
          <xsl:text>- Reopening approved by </xsl:text>
          <xsl:call-template name="esc"><xsl:with-param name="s" select="@signer"/></xsl:call-template>
          <xsl:value-of select="concat(' at ', @at)"/>
          <xsl:if test="@timestamped = 'true'"> (trusted timestamp)</xsl:if>
          <xsl:text>: </xsl:text>
          <xsl:call-template name="esc"><xsl:with-param name="s" select="."/></xsl:call-template>
          <xsl:value-of select="concat(' (SHA-256 ', @fingerprint, ')', $nl)"/>
        </xsl:for-each>
        <xsl:value-of select="$nl"/>
      </xsl:when>
      <xsl:otherwise>
        <xsl:value-of select="concat('Reopening not approved: no signed approval of this run is recorded.', $nl, $nl)"/>
      </xsl:otherwise>
    </xsl:choose>
    <xsl:if test="$a/@met = 'false'">
      <xsl:value-of select="concat('**[gate] approvals asks ', $a/@required, ' approvals from distinct signers; this gate has ', $a/@distinct, '.**', $nl, $nl)"/>
    </xsl:if>
  </xsl:template>

  <xsl:template name="waivers-md">
    <xsl:param name="ws"/>
    <xsl:text>| State | Waiver | Check | Subject | Expires | Approved by | Waived | Reason |&#10;|---|---|---|---|---|---|---:|---|&#10;</xsl:text>
    <xsl:for-each select="$ws">
      <xsl:text>| </xsl:text>
      <xsl:choose>
        <xsl:when test="@state = 'in_force'">in force</xsl:when>
        <xsl:when test="@state = 'unmatched'">unused (covered nothing)</xsl:when>
        <xsl:otherwise>**EXPIRED**</xsl:otherwise>
      </xsl:choose>
      <xsl:text> | </xsl:text><xsl:call-template name="opt"><xsl:with-param name="n" select="@name"/></xsl:call-template>
      <xsl:text> | </xsl:text><xsl:call-template name="opt"><xsl:with-param name="n" select="@check"/></xsl:call-template>
      <xsl:text> | </xsl:text><xsl:call-template name="opt"><xsl:with-param name="n" select="@subject"/></xsl:call-template>
      <xsl:text> | </xsl:text><xsl:value-of select="@expires"/>
      <xsl:text> | </xsl:text><xsl:call-template name="opt"><xsl:with-param name="n" select="@approved-by"/></xsl:call-template>
      <xsl:text> | </xsl:text>
      <xsl:choose>
        <xsl:when test="@waived-in-period"><xsl:value-of select="concat(@waived-in-period, ' in ', @runs, ' run')"/><xsl:if test="@runs != 1">s</xsl:if></xsl:when>
        <xsl:otherwise><xsl:value-of select="@waived"/></xsl:otherwise>
      </xsl:choose>
      <xsl:text> | </xsl:text><xsl:call-template name="esc"><xsl:with-param name="s" select="."/></xsl:call-template>
      <xsl:text> |&#10;</xsl:text>
    </xsl:for-each>
    <xsl:text>&#10;</xsl:text>
  </xsl:template>

  <!-- A short value as code when it can be one (no backtick, pipe or line break), else escaped text. -->
  <xsl:template name="opt">
    <xsl:param name="n"/>
    <xsl:choose>
      <xsl:when test="$n and not(contains($n, '`') or contains($n, '|') or contains($n, '&#10;'))">
        <xsl:text>`</xsl:text>
        <xsl:call-template name="count-words"><xsl:with-param name="s" select="$n"/></xsl:call-template>
        <xsl:text>`</xsl:text>
      </xsl:when>
      <xsl:when test="$n"><xsl:call-template name="esc"><xsl:with-param name="s" select="$n"/></xsl:call-template></xsl:when>
      <xsl:otherwise>—</xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="status">
    <xsl:choose>
      <xsl:when test="@status = 'fail'">**FAIL**</xsl:when>
      <xsl:when test="@status = 'error'">**ERROR**</xsl:when>
      <xsl:when test="@status = 'not_evaluated'">**not evaluated**</xsl:when>
      <xsl:when test="@status = 'waived'">*waived*</xsl:when>
      <xsl:otherwise><xsl:value-of select="@status"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="fact">
    <xsl:param name="k"/>
    <xsl:param name="v"/>
    <xsl:param name="code" select="false()"/>
    <xsl:value-of select="concat('| ', $k, ' | ')"/>
    <xsl:choose>
      <xsl:when test="not(string($v))">not recorded</xsl:when>
      <xsl:when test="$code and not(contains($v, '`')) and not(contains($v, '|'))">
        <xsl:value-of select="concat('`', $v, '`')"/>
      </xsl:when>
      <xsl:otherwise><xsl:call-template name="esc"><xsl:with-param name="s" select="$v"/></xsl:call-template></xsl:otherwise>
    </xsl:choose>
    <xsl:text> |&#10;</xsl:text>
  </xsl:template>

  <xsl:template name="headline">
    <xsl:variable name="o" select="/*/v:verdict/@outcome"/>
    <xsl:choose>
      <xsl:when test="$o = 'open'">GATE OPEN</xsl:when>
      <xsl:when test="$o = 'closed'">GATE CLOSED</xsl:when>
      <xsl:when test="$o = 'passed'">CHECKS PASSED</xsl:when>
      <xsl:when test="$o = 'failed'">CHECKS FAILED</xsl:when>
      <xsl:when test="$o = 'aborted'">RUN ABORTED</xsl:when>
      <xsl:otherwise>RUN NOT FINISHED</xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="advice">
    <xsl:variable name="vd" select="/*/v:verdict"/>
    <xsl:variable name="o" select="$vd/@outcome"/>
    <xsl:variable name="bad" select="$vd/@failed + $vd/@errors"/>
    <xsl:choose>
      <xsl:when test="$o = 'open' and $vd/@waived &gt; 0">
        <xsl:value-of select="concat($vd/@waived, ' failed result(s) covered by a waiver (listed below) and the other ', $vd/@results - $vd/@waived, ' passed; the restored database may be reopened with the accepted deviations.')"/>
      </xsl:when>
      <xsl:when test="$o = 'open'">
        <xsl:value-of select="concat('all ', $vd/@results, ' results passed; the restored database may be reopened.')"/>
      </xsl:when>
      <xsl:when test="$o = 'closed'">
        <xsl:value-of select="concat($bad, ' of ', $vd/@results, ' results did not pass. Do not reopen: fix what is listed below, then run the gate again.')"/>
      </xsl:when>
      <xsl:when test="$o = 'passed'">the checks that ran passed. A check run is not the whole gate.</xsl:when>
      <xsl:when test="$o = 'failed'"><xsl:value-of select="concat($bad, ' of ', $vd/@results, ' results did not pass.')"/></xsl:when>
      <xsl:when test="$o = 'aborted'">the run could not finish, so nothing was proven. Do not reopen on this run.</xsl:when>
      <xsl:otherwise>the run had not finished when this report was made.</xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="when">
    <xsl:param name="t"/>
    <xsl:if test="string($t)">
      <xsl:value-of select="concat(substring($t, 1, 10), ' ', substring($t, 12, 8), ' UTC')"/>
    </xsl:if>
  </xsl:template>

  <!-- Text for a table cell or a line: newlines become spaces, and the characters
       Markdown would read as markup are escaped with a backslash. -->
  <xsl:template name="esc">
    <xsl:param name="s"/>
    <xsl:call-template name="esc-chars">
      <xsl:with-param name="s" select="translate($s, '&#10;&#13;&#9;', '   ')"/>
      <xsl:with-param name="chars" select="'\`*_[]|&lt;&amp;'"/>
    </xsl:call-template>
  </xsl:template>

  <!-- Escape each character of chars in s; recursion is per occurrence, not per character. -->
  <xsl:template name="esc-chars">
    <xsl:param name="s"/>
    <xsl:param name="chars"/>
    <xsl:variable name="c" select="substring($chars, 1, 1)"/>
    <xsl:choose>
      <xsl:when test="$chars = ''"><xsl:value-of select="$s"/></xsl:when>
      <xsl:when test="contains($s, $c)">
        <xsl:call-template name="esc-chars">
          <xsl:with-param name="s" select="substring-before($s, $c)"/>
          <xsl:with-param name="chars" select="substring($chars, 2)"/>
        </xsl:call-template>
        <xsl:value-of select="concat('\', $c)"/>
        <xsl:call-template name="esc-chars">
          <xsl:with-param name="s" select="substring-after($s, $c)"/>
          <xsl:with-param name="chars" select="$chars"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise>
        <xsl:call-template name="esc-chars">
          <xsl:with-param name="s" select="$s"/>
          <xsl:with-param name="chars" select="substring($chars, 2)"/>
        </xsl:call-template>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>
</xsl:stylesheet>
