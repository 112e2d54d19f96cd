<?xml version="1.0" encoding="UTF-8"?>
<!-- Pieces every output format uses. Included by html.xsl and markdown.xsl. -->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:v="urn:x-vouch:report"
                exclude-result-prefixes="v">

  <!-- A duration as vouch writes it elsewhere: 850 ms, 12.3 s, 4 min 05 s, 1 h 02 min. -->
  <xsl:template name="duration">
    <xsl:param name="ms"/>
    <xsl:variable name="a" select="floor($ms)"/>
    <xsl:variable name="s" select="floor($a div 1000)"/>
    <xsl:variable name="h" select="floor($s div 3600)"/>
    <xsl:variable name="m" select="floor($s div 60) mod 60"/>
    <xsl:variable name="sec" select="$s mod 60"/>
    <xsl:choose>
      <xsl:when test="$a &lt; 1000"><xsl:value-of select="concat($a, ' ms')"/></xsl:when>
      <xsl:when test="$a &lt; 60000"><xsl:value-of select="concat($sec, '.', floor(($a mod 1000) div 100), ' s')"/></xsl:when>
      <xsl:otherwise>
        <xsl:if test="$h &gt; 0"><xsl:value-of select="concat($h, ' h')"/></xsl:if>
        <xsl:if test="$m &gt; 0 or ($h &gt; 0 and $sec &gt; 0)">
          <xsl:choose>
            <xsl:when test="$h &gt; 0"><xsl:value-of select="concat(' ', format-number($m, '00'), ' min')"/></xsl:when>
            <xsl:otherwise><xsl:value-of select="concat($m, ' min')"/></xsl:otherwise>
          </xsl:choose>
        </xsl:if>
        <xsl:if test="$sec &gt; 0"><xsl:value-of select="concat(' ', format-number($sec, '00'), ' s')"/></xsl:if>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- The heads of the store's chains when the report was made (every report states them). -->
  <xsl:template name="store-head-text">
    <xsl:param name="which"/>
    <xsl:variable name="h" select="/*/v:store-head"/>
    <xsl:choose>
      <xsl:when test="$which = 'run' and $h/@run-position &gt; 0">
        <xsl:value-of select="concat('position ', $h/@run-position, ', digest ', $h/@run-digest)"/>
      </xsl:when>
      <xsl:when test="$which = 'drill' and $h/@drill-position &gt; 0">
        <xsl:value-of select="concat('position ', $h/@drill-position, ', digest ', $h/@drill-digest)"/>
      </xsl:when>
      <xsl:otherwise>empty</xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="store-head-html">
    <xsl:if test="/*/v:store-head">
      <dt>Store head when made</dt>
      <dd class="mono hash">run chain <xsl:call-template name="store-head-text"><xsl:with-param name="which" select="'run'"/></xsl:call-template></dd>
      <dt>Drill chain head</dt>
      <dd class="mono hash">drill chain <xsl:call-template name="store-head-text"><xsl:with-param name="which" select="'drill'"/></xsl:call-template></dd>
    </xsl:if>
  </xsl:template>

  <xsl:template name="store-head-md">
    <xsl:if test="/*/v:store-head">
      <xsl:text>- Store head when made (both chains verified whole): run chain </xsl:text>
      <xsl:call-template name="store-head-text"><xsl:with-param name="which" select="'run'"/></xsl:call-template>
      <xsl:text>; drill chain </xsl:text>
      <xsl:call-template name="store-head-text"><xsl:with-param name="which" select="'drill'"/></xsl:call-template>
      <xsl:text>&#10;</xsl:text>
    </xsl:if>
  </xsl:template>

</xsl:stylesheet>
