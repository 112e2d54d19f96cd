<?xml version="1.0" encoding="UTF-8"?>
<!-- The compliance report as Markdown. Included by markdown.xsl. -->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:v="urn:x-vouch:report"
                exclude-result-prefixes="v">

  <xsl:template match="v:compliance-report">
    <xsl:variable name="vd" select="v:verdict"/>
    <xsl:variable name="p" select="v:period"/>
    <xsl:variable name="dr" select="v:drills"/>
    <xsl:value-of select="concat('# Compliance report · ', $p/@label, $nl, $nl)"/>
    <xsl:if test="string($organisation)">
      <xsl:call-template name="esc"><xsl:with-param name="s" select="$organisation"/></xsl:call-template>
      <xsl:text> · </xsl:text>
    </xsl:if>
    <xsl:value-of select="concat('Restore compliance report · ', $p/@first-day, ' to ', $p/@last-day, ' (UTC days, both included)', $nl, $nl)"/>
    <xsl:text>&gt; **</xsl:text>
    <xsl:choose>
      <xsl:when test="$vd/@outcome = 'complete'">COMPLETE</xsl:when>
      <xsl:when test="$vd/@outcome = 'gaps'">GAPS FOUND</xsl:when>
      <xsl:when test="$vd/@outcome = 'in-progress'">IN PROGRESS</xsl:when>
      <xsl:otherwise>NOTHING RECORDED</xsl:otherwise>
    </xsl:choose>
    <xsl:text>**: </xsl:text>
    <xsl:call-template name="esc"><xsl:with-param name="s" select="$vd"/></xsl:call-template>
    <xsl:value-of select="concat($nl, $nl)"/>
    <xsl:variable name="held-line">
      <xsl:value-of select="concat($dr/@held, ' drill')"/><xsl:if test="$dr/@held != 1">s</xsl:if>
      <xsl:value-of select="concat(' held in ', $p/@label, ' against a cadence of at least one per quarter: ')"/>
      <xsl:choose>
        <xsl:when test="$dr/@required = 0">no whole quarter in the period to judge.</xsl:when>
        <xsl:when test="$dr/@quarters-met = $dr/@required">met.</xsl:when>
        <xsl:otherwise>missed.</xsl:otherwise>
      </xsl:choose>
    </xsl:variable>

    <xsl:choose>
      <xsl:when test="$vd/@outcome = 'empty'">
        <xsl:text>## Nothing recorded in this period&#10;&#10;</xsl:text>
        <xsl:value-of select="concat('The evidence store holds no gate or check run and no restore drill that started between ',
                                     $p/@first-day, ' and ', $p/@last-day, '.', $nl, $nl, $held-line, $nl, $nl)"/>
        <xsl:for-each select="$dr/v:quarter[@status = 'missed']">
          <xsl:value-of select="concat('- **Quarter ', @label, ' had no drill**: the runbook asks for one every quarter.', $nl)"/>
        </xsl:for-each>
        <xsl:if test="$dr/v:quarter[@status = 'missed']"><xsl:value-of select="$nl"/></xsl:if>
      </xsl:when>
      <xsl:otherwise>
        <xsl:text>## Restore drills and the quarterly cadence&#10;&#10;</xsl:text>
        <xsl:value-of select="concat($held-line, $nl, $nl)"/>
        <xsl:for-each select="$dr/v:quarter">
          <xsl:value-of select="concat('- ', @label, ': ')"/>
          <xsl:choose>
            <xsl:when test="@status = 'met'"><xsl:value-of select="concat('met (', @held, ')')"/></xsl:when>
            <xsl:when test="@status = 'missed'">**missed**, no drill</xsl:when>
            <xsl:otherwise>part of the quarter, not judged</xsl:otherwise>
          </xsl:choose>
          <xsl:value-of select="$nl"/>
        </xsl:for-each>
        <xsl:value-of select="$nl"/>
        <xsl:if test="$dr/v:drill">
          <xsl:text>| Drill | Started | Scenario | Objectives (target · RTO · RPO) | RTO | Data loss | Outcome | Gate run |&#10;|---|---|---|---|---:|---:|---|---|&#10;</xsl:text>
          <xsl:for-each select="$dr/v:drill">
            <xsl:value-of select="concat('| ', @id, ' | ', substring(@started, 1, 10), ' | ')"/>
            <xsl:call-template name="esc"><xsl:with-param name="s" select="@scenario"/></xsl:call-template>
            <xsl:if test="@approved-by">
              <xsl:text> (approved by </xsl:text>
              <xsl:call-template name="esc"><xsl:with-param name="s" select="@approved-by"/></xsl:call-template>
              <xsl:text>)</xsl:text>
            </xsl:if>
            <xsl:text> | </xsl:text>
            <xsl:call-template name="duration"><xsl:with-param name="ms" select="@target-ms"/></xsl:call-template>
            <xsl:text> · </xsl:text>
            <xsl:call-template name="duration"><xsl:with-param name="ms" select="@limit-ms"/></xsl:call-template>
            <xsl:text> · </xsl:text>
            <xsl:call-template name="duration"><xsl:with-param name="ms" select="@rpo-ms"/></xsl:call-template>
            <xsl:if test="@drill-every">
              <xsl:text> · due </xsl:text>
              <xsl:if test="@drill-every != 'quarterly'">every </xsl:if>
              <xsl:value-of select="@drill-every"/>
            </xsl:if>
            <xsl:text> | </xsl:text>
            <xsl:choose>
              <xsl:when test="@rto-ms"><xsl:call-template name="duration"><xsl:with-param name="ms" select="@rto-ms"/></xsl:call-template></xsl:when>
              <xsl:otherwise>none</xsl:otherwise>
            </xsl:choose>
            <xsl:text> | </xsl:text>
            <xsl:choose>
              <xsl:when test="@data-loss-ms"><xsl:call-template name="duration"><xsl:with-param name="ms" select="@data-loss-ms"/></xsl:call-template></xsl:when>
              <xsl:otherwise>unknown</xsl:otherwise>
            </xsl:choose>
            <xsl:value-of select="concat(' | ', @outcome, ' | ')"/>
            <xsl:choose>
              <xsl:when test="@gate-run"><xsl:value-of select="@gate-run"/></xsl:when>
              <xsl:otherwise>—</xsl:otherwise>
            </xsl:choose>
            <xsl:value-of select="concat(' |', $nl)"/>
          </xsl:for-each>
          <xsl:value-of select="$nl"/>
        </xsl:if>

        <xsl:text>## Gates in the period&#10;&#10;</xsl:text>
        <xsl:choose>
          <xsl:when test="v:gates/v:gate">
            <xsl:if test="v:gates/@unapproved &gt; 0">
              <xsl:value-of select="concat('**', v:gates/@unapproved, ' passed gate(s) without the ', v:gates/@approvals-required, ' signed approvals from distinct signers that [gate] approvals asks.**', $nl, $nl)"/>
            </xsl:if>
            <xsl:text>| Run | Started (UTC) | Target | Outcome | Passed | Warnings | Failed | Errors | Approvals |&#10;|---|---|---|---|---:|---:|---:|---:|---|&#10;</xsl:text>
            <xsl:for-each select="v:gates/v:gate">
              <xsl:value-of select="concat('| ', @run, ' | ', substring(@started, 1, 10), ' ', substring(@started, 12, 5), ' | ')"/>
              <xsl:call-template name="opt"><xsl:with-param name="n" select="@target"/></xsl:call-template>
              <xsl:value-of select="concat(' | ', @outcome)"/>
              <xsl:if test="@negative-control = 'able'">, every check shown able to fail</xsl:if>
              <xsl:if test="@negative-control = 'unable'">, not every check shown able to fail</xsl:if>
              <xsl:value-of select="concat(' | ', @passed, ' | ', @warnings, ' | ', @failed, ' | ', @errors, ' | ', @approvals)"/>
              <xsl:if test="@unapproved = 'true'"> **not approved**</xsl:if>
              <xsl:value-of select="concat(' |', $nl)"/>
            </xsl:for-each>
            <xsl:value-of select="$nl"/>
            <xsl:if test="v:gates/@negative-controls">
              <xsl:value-of select="concat('Negative control: ', v:gates/@negative-controls, ' of these runs ran it, ', v:gates/@negative-controls-able, ' showed every check able to fail.', $nl, $nl)"/>
            </xsl:if>
          </xsl:when>
          <xsl:otherwise><xsl:value-of select="concat('No gate or check ran in this period.', $nl, $nl)"/></xsl:otherwise>
        </xsl:choose>

        <xsl:if test="v:checks/v:check">
          <xsl:text>## Checks in the period&#10;&#10;| Check | Runs | Passed | Warnings | Failed | Errors | Newest run |&#10;|---|---:|---:|---:|---:|---:|---|&#10;</xsl:text>
          <xsl:for-each select="v:checks/v:check">
            <xsl:value-of select="concat('| `', @name, '` | ', @runs, ' | ', @passed, ' | ', @warnings, ' | ', @failed, ' | ', @errors,
                                         ' | ', @latest-status, ' (run ', @latest-run, ') |', $nl)"/>
          </xsl:for-each>
          <xsl:value-of select="$nl"/>
        </xsl:if>

        <xsl:text>## Backup policy&#10;&#10;</xsl:text>
        <xsl:choose>
          <xsl:when test="v:backups/v:result">
            <xsl:value-of select="concat('From run ', v:backups/@run, ', the newest of the period that checked it.', $nl, $nl)"/>
            <xsl:call-template name="md-results"><xsl:with-param name="rows" select="v:backups/v:result"/></xsl:call-template>
          </xsl:when>
          <xsl:otherwise><xsl:value-of select="concat('No run in this period checked the backup policy.', $nl, $nl)"/></xsl:otherwise>
        </xsl:choose>

        <xsl:text>## Residency evidence, month by month&#10;&#10;</xsl:text>
        <xsl:choose>
          <xsl:when test="v:residency/@run">
            <xsl:value-of select="concat('From run ', v:residency/@run, ', the newest of the period that checked it.', $nl, $nl)"/>
            <xsl:if test="v:residency/v:month">
              <xsl:text>| Month | Evidence |&#10;|---|---|&#10;</xsl:text>
              <xsl:for-each select="v:residency/v:month">
                <xsl:value-of select="concat('| ', @period, ' | ')"/>
                <xsl:choose>
                  <xsl:when test="@status = 'present'">present</xsl:when>
                  <xsl:when test="@status = 'missing'">**MISSING**</xsl:when>
                  <xsl:when test="@status = 'changed'">**CHANGED** since the baseline</xsl:when>
                  <xsl:otherwise>**outside the allowed regions**<xsl:if test="@regions">: <xsl:call-template name="esc"><xsl:with-param name="s" select="@regions"/></xsl:call-template></xsl:if></xsl:otherwise>
                </xsl:choose>
                <xsl:value-of select="concat(' |', $nl)"/>
              </xsl:for-each>
              <xsl:value-of select="$nl"/>
            </xsl:if>
            <xsl:call-template name="md-results"><xsl:with-param name="rows" select="v:residency/v:result"/></xsl:call-template>
          </xsl:when>
          <xsl:otherwise><xsl:value-of select="concat('No run in this period checked residency evidence.', $nl, $nl)"/></xsl:otherwise>
        </xsl:choose>

        <xsl:text>## Open failures&#10;&#10;</xsl:text>
        <xsl:choose>
          <xsl:when test="v:open-failures/v:failure">
            <xsl:text>| Status | Check | Subject | Expected | Observed | Reason |&#10;|---|---|---|---|---|---|&#10;</xsl:text>
            <xsl:for-each select="v:open-failures/v:failure/v:result">
              <xsl:text>| </xsl:text><xsl:call-template name="status"/>
              <xsl:text> | </xsl:text><xsl:call-template name="esc"><xsl:with-param name="s" select="@check"/></xsl:call-template>
              <xsl:call-template name="cells"/>
            </xsl:for-each>
            <xsl:value-of select="$nl"/>
          </xsl:when>
          <xsl:otherwise><xsl:value-of select="concat('None: the newest result of every check and subject in the period passed.', $nl, $nl)"/></xsl:otherwise>
        </xsl:choose>

        <xsl:text>## Waivers&#10;&#10;</xsl:text>
        <xsl:choose>
          <xsl:when test="v:waivers/v:waiver">
            <xsl:call-template name="waivers-md"><xsl:with-param name="ws" select="v:waivers/v:waiver"/></xsl:call-template>
          </xsl:when>
          <xsl:otherwise><xsl:value-of select="concat('None: no waiver applied to a run of the period.', $nl, $nl)"/></xsl:otherwise>
        </xsl:choose>

        <xsl:text>## Trends&#10;&#10;</xsl:text>
        <xsl:for-each select="v:trends/v:series[v:point]">
          <xsl:value-of select="concat('**', @name, '**', $nl, $nl)"/>
          <xsl:for-each select="v:point">
            <xsl:value-of select="concat('- ', @label, ': ')"/>
            <xsl:choose>
              <xsl:when test="../@unit = 'percent' and @value"><xsl:value-of select="concat(@value, '% (', @passed, ' of ', @of, ')')"/></xsl:when>
              <xsl:when test="../@unit = 'percent'">no gates</xsl:when>
              <xsl:when test="@value"><xsl:call-template name="duration"><xsl:with-param name="ms" select="@value"/></xsl:call-template></xsl:when>
              <xsl:otherwise>no RTO</xsl:otherwise>
            </xsl:choose>
            <xsl:value-of select="$nl"/>
          </xsl:for-each>
          <xsl:value-of select="$nl"/>
        </xsl:for-each>
      </xsl:otherwise>
    </xsl:choose>
    <xsl:call-template name="store-head-md"/>
    <xsl:value-of select="$nl"/>
    <xsl:value-of select="concat('_Rendered by vouch ', v:generator/@version, ' from its evidence store; rebuild with `vouch report period ',
                                 $p/@label, '`. Times are UTC._', $nl)"/>
  </xsl:template>

  <xsl:template name="md-results">
    <xsl:param name="rows"/>
    <xsl:text>| Status | Subject | Expected | Observed | Reason |&#10;|---|---|---|---|---|&#10;</xsl:text>
    <xsl:for-each select="$rows">
      <xsl:text>| </xsl:text><xsl:call-template name="status"/>
      <xsl:call-template name="cells"/>
    </xsl:for-each>
    <xsl:value-of select="$nl"/>
  </xsl:template>
</xsl:stylesheet>
