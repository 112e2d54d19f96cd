<?xml version="1.0" encoding="UTF-8"?>
<!-- The drill report as Markdown. Included by markdown.xsl (esc, fact, when, cells...). -->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:v="urn:x-vouch:report"
                exclude-result-prefixes="v">

  <xsl:template match="v:drill-report">
    <xsl:variable name="d" select="v:drill"/>
    <xsl:variable name="rto" select="v:objective[@name = 'rto']"/>
    <xsl:variable name="rpo" select="v:objective[@name = 'rpo']"/>
    <xsl:variable name="o" select="v:verdict/@outcome"/>
    <xsl:value-of select="concat('# Drill ', $d/@id, ' · ')"/>
    <xsl:call-template name="esc"><xsl:with-param name="s" select="$d/@scenario"/></xsl:call-template>
    <xsl:value-of select="concat($nl, $nl)"/>
    <xsl:if test="string($organisation)">
      <xsl:call-template name="esc"><xsl:with-param name="s" select="$organisation"/></xsl:call-template>
      <xsl:text> · </xsl:text>
    </xsl:if>
    <xsl:text>Restore drill report · </xsl:text>
    <xsl:call-template name="when"><xsl:with-param name="t" select="$d/@started"/></xsl:call-template>
    <xsl:value-of select="concat($nl, $nl, '&gt; **')"/>
    <xsl:choose>
      <xsl:when test="$o = 'met'">OBJECTIVES MET</xsl:when>
      <xsl:when test="$o = 'partial'">RTO MET; DATA LOSS NOT MEASURED</xsl:when>
      <xsl:when test="$o = 'missed'">OBJECTIVES MISSED</xsl:when>
      <xsl:when test="$o = 'failed'">DRILL FAILED</xsl:when>
      <xsl:when test="$o = 'interrupted'">DRILL INTERRUPTED</xsl:when>
      <xsl:otherwise>DRILL STILL OPEN</xsl:otherwise>
    </xsl:choose>
    <xsl:text>**: </xsl:text>
    <xsl:call-template name="esc"><xsl:with-param name="s" select="v:verdict"/></xsl:call-template>
    <xsl:value-of select="concat($nl, $nl)"/>

    <xsl:text>| Objective | Measured | Drill target | Limit | Judged |&#10;|---|---:|---:|---:|---|&#10;</xsl:text>
    <xsl:text>| RTO | </xsl:text>
    <xsl:choose>
      <xsl:when test="$rto/@measured-ms"><xsl:call-template name="duration"><xsl:with-param name="ms" select="$rto/@measured-ms"/></xsl:call-template></xsl:when>
      <xsl:otherwise>none</xsl:otherwise>
    </xsl:choose>
    <xsl:text> | </xsl:text><xsl:call-template name="duration"><xsl:with-param name="ms" select="$rto/@target-ms"/></xsl:call-template>
    <xsl:text> | </xsl:text><xsl:call-template name="duration"><xsl:with-param name="ms" select="$rto/@limit-ms"/></xsl:call-template>
    <xsl:value-of select="concat(' | ', translate($rto/@judged, '-', ' '), ' |', $nl)"/>
    <xsl:text>| Data loss (RPO) | </xsl:text>
    <xsl:choose>
      <xsl:when test="$rpo/@measured-ms"><xsl:call-template name="duration"><xsl:with-param name="ms" select="$rpo/@measured-ms"/></xsl:call-template></xsl:when>
      <xsl:otherwise>unknown</xsl:otherwise>
    </xsl:choose>
    <xsl:text> | — | </xsl:text><xsl:call-template name="duration"><xsl:with-param name="ms" select="$rpo/@limit-ms"/></xsl:call-template>
    <xsl:value-of select="concat(' | ', translate($rpo/@judged, '-', ' '), ' |', $nl, $nl)"/>

    <xsl:text>## The drill&#10;&#10;| | |&#10;|---|---|&#10;</xsl:text>
    <xsl:call-template name="fact"><xsl:with-param name="k" select="'Scenario'"/><xsl:with-param name="v" select="$d/@scenario"/></xsl:call-template>
    <xsl:call-template name="fact"><xsl:with-param name="k" select="'Operator'"/><xsl:with-param name="v" select="$d/@operator"/></xsl:call-template>
    <xsl:if test="$d/@approved-by">
      <xsl:call-template name="fact"><xsl:with-param name="k" select="'Approved reopening'"/><xsl:with-param name="v" select="$d/@approved-by"/></xsl:call-template>
    </xsl:if>
    <xsl:if test="$d/@drill-every">
      <xsl:call-template name="fact">
        <xsl:with-param name="k" select="'Drills due'"/>
        <xsl:with-param name="v"><xsl:if test="$d/@drill-every != 'quarterly'">every </xsl:if><xsl:value-of select="$d/@drill-every"/></xsl:with-param>
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
      <xsl:with-param name="k" select="'Restore start'"/>
      <xsl:with-param name="v"><xsl:call-template name="when"><xsl:with-param name="t" select="$d/@restore-start"/></xsl:call-template></xsl:with-param>
    </xsl:call-template>
    <xsl:call-template name="fact">
      <xsl:with-param name="k" select="'Restore end'"/>
      <xsl:with-param name="v"><xsl:call-template name="when"><xsl:with-param name="t" select="$d/@restore-end"/></xsl:call-template></xsl:with-param>
    </xsl:call-template>
    <xsl:call-template name="fact">
      <xsl:with-param name="k" select="'Drill ended'"/>
      <xsl:with-param name="v">
        <xsl:call-template name="when"><xsl:with-param name="t" select="$d/@finished"/></xsl:call-template>
        <xsl:if test="$d/@finished"> (<xsl:value-of select="$d/@status"/>)</xsl:if>
      </xsl:with-param>
    </xsl:call-template>
    <xsl:call-template name="fact">
      <xsl:with-param name="k" select="'Restore point'"/>
      <xsl:with-param name="v"><xsl:call-template name="when"><xsl:with-param name="t" select="$rpo/@restore-point"/></xsl:call-template></xsl:with-param>
    </xsl:call-template>
    <xsl:if test="$d/v:restore-command">
      <xsl:call-template name="fact">
        <xsl:with-param name="k" select="'Restore command'"/>
        <xsl:with-param name="v" select="$d/v:restore-command"/>
        <xsl:with-param name="code" select="true()"/>
      </xsl:call-template>
    </xsl:if>
    <xsl:if test="$d/v:smoke">
      <xsl:call-template name="fact">
        <xsl:with-param name="k" select="'Smoke tests'"/>
        <xsl:with-param name="v" select="$d/v:smoke"/>
        <xsl:with-param name="code" select="true()"/>
      </xsl:call-template>
      <xsl:call-template name="fact">
        <xsl:with-param name="k" select="'Smoke result'"/>
        <xsl:with-param name="v">
          <xsl:if test="$d/v:smoke/@exit">exit status <xsl:value-of select="$d/v:smoke/@exit"/>, </xsl:if>
          <xsl:call-template name="duration"><xsl:with-param name="ms" select="$d/v:smoke/@duration-ms"/></xsl:call-template>
          <xsl:if test="$d/v:smoke/@output-sha256">, output sha256 <xsl:value-of select="$d/v:smoke/@output-sha256"/></xsl:if>
        </xsl:with-param>
      </xsl:call-template>
    </xsl:if>
    <xsl:if test="$d/v:error">
      <xsl:call-template name="fact"><xsl:with-param name="k" select="'Why it ended'"/><xsl:with-param name="v" select="$d/v:error"/></xsl:call-template>
    </xsl:if>
    <xsl:value-of select="$nl"/>

    <xsl:text>## Timeline&#10;&#10;</xsl:text>
    <xsl:choose>
      <xsl:when test="v:phases/v:phase">
        <xsl:text>| Step | Started (UTC) | Ended (UTC) | Took |&#10;|---|---|---|---:|&#10;</xsl:text>
        <xsl:for-each select="v:phases/v:phase">
          <xsl:text>| </xsl:text>
          <xsl:call-template name="esc"><xsl:with-param name="s" select="@name"/></xsl:call-template>
          <xsl:value-of select="concat(' | ', substring(@start, 12, 8), ' | ', substring(@end, 12, 8), ' | ')"/>
          <xsl:call-template name="duration"><xsl:with-param name="ms" select="@duration-ms"/></xsl:call-template>
          <xsl:value-of select="concat(' |', $nl)"/>
        </xsl:for-each>
        <xsl:value-of select="$nl"/>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="concat('No phase was recorded.', $nl, $nl)"/></xsl:otherwise>
    </xsl:choose>

    <xsl:text>## The gate&#10;&#10;</xsl:text>
    <xsl:choose>
      <xsl:when test="v:gate">
        <xsl:value-of select="concat('Run ', v:gate/v:run/@id, ': ')"/>
        <xsl:call-template name="esc"><xsl:with-param name="s" select="v:gate/v:verdict"/></xsl:call-template>
        <xsl:value-of select="concat($nl, $nl)"/>
        <xsl:if test="v:gate/v:approvals">
          <xsl:text>### Approval&#10;&#10;</xsl:text>
          <xsl:call-template name="approvals-md"><xsl:with-param name="a" select="v:gate/v:approvals"/></xsl:call-template>
        </xsl:if>
        <xsl:if test="v:gate/v:waivers">
          <xsl:text>### Waivers&#10;&#10;</xsl:text>
          <xsl:call-template name="waivers-md"><xsl:with-param name="ws" select="v:gate/v:waivers/v:waiver"/></xsl:call-template>
        </xsl:if>
        <xsl:apply-templates select="v:gate/v:checks/v:check"/>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="concat('No gate run is linked to this drill.', $nl, $nl)"/></xsl:otherwise>
    </xsl:choose>
    <xsl:if test="v:linked-runs/v:run">
      <xsl:text>Runs while the drill was open:&#10;&#10;| Run | Status | Started (UTC) | Verdict |&#10;|---|---|---|---|&#10;</xsl:text>
      <xsl:for-each select="v:linked-runs/v:run">
        <xsl:value-of select="concat('| ', @kind, ' ', @id, ' | ', @status, ' | ', substring(@started, 12, 8), ' | ')"/>
        <xsl:call-template name="esc"><xsl:with-param name="s" select="."/></xsl:call-template>
        <xsl:value-of select="concat(' |', $nl)"/>
      </xsl:for-each>
      <xsl:value-of select="$nl"/>
    </xsl:if>

    <xsl:text>## Issues and follow-ups&#10;&#10;</xsl:text>
    <xsl:choose>
      <xsl:when test="v:follow-ups/v:item">
        <xsl:for-each select="v:follow-ups/v:item">
          <xsl:value-of select="concat(position(), '. ')"/>
          <xsl:choose>
            <xsl:when test="@source = 'gate'">
              <xsl:text>**</xsl:text>
              <xsl:call-template name="esc"><xsl:with-param name="s" select="concat(@check, ' ', @subject)"/></xsl:call-template>
              <xsl:text>**: </xsl:text>
            </xsl:when>
            <xsl:when test="@source = 'note'">Operator: </xsl:when>
          </xsl:choose>
          <xsl:call-template name="esc"><xsl:with-param name="s" select="."/></xsl:call-template>
          <xsl:value-of select="$nl"/>
        </xsl:for-each>
        <xsl:value-of select="$nl"/>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="concat('None.', $nl, $nl)"/></xsl:otherwise>
    </xsl:choose>

    <xsl:text>## RTO across drills&#10;&#10;| Drill | Started | RTO | Outcome |&#10;|---|---|---:|---|&#10;</xsl:text>
    <xsl:for-each select="v:history/v:series/v:point">
      <xsl:value-of select="concat('| ', @label)"/>
      <xsl:if test="@current"> (this)</xsl:if>
      <xsl:value-of select="concat(' | ', substring(@at, 1, 10), ' | ')"/>
      <xsl:choose>
        <xsl:when test="@value"><xsl:call-template name="duration"><xsl:with-param name="ms" select="@value"/></xsl:call-template></xsl:when>
        <xsl:otherwise>none</xsl:otherwise>
      </xsl:choose>
      <xsl:value-of select="concat(' | ', @status, ' |', $nl)"/>
    </xsl:for-each>
    <xsl:value-of select="$nl"/>
    <xsl:call-template name="store-head-md"/>
    <xsl:value-of select="$nl"/>
    <xsl:value-of select="concat('_Rendered by vouch ', v:generator/@version, ' from its evidence store; rebuild with `vouch report drill ',
                                 $d/@id, '`. Times are UTC._', $nl)"/>
  </xsl:template>
</xsl:stylesheet>
