<?xml version="1.0" encoding="UTF-8"?>
<!-- Pieces every output format uses. Included by html.xsl and markdown.xsl. -->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform">

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

</xsl:stylesheet>
