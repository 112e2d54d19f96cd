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

  <!-- ================= identifiers and counts =================
       Identifiers (public.residency_evidence, share_tokens, ap-southeast-2) may wrap only
       after a dot, underscore, comma or dash (never before a digit): a <wbr> after each, so that a narrow column breaks
       them between their parts, never mid-word. Counts get thousands separators, one style
       everywhere: 1,000,000. The recursions are bounded (a hostile value of ten thousand
       dashes is written as it is past the bound, and CSS wraps it as a last resort). -->

  <xsl:template name="ident">
    <xsl:param name="s"/>
    <xsl:param name="left" select="48"/>
    <xsl:variable name="t" select="translate($s, '_-,', '...')"/>
    <xsl:choose>
      <xsl:when test="$left &gt; 0 and contains($t, '.') and string-length(substring-after($t, '.')) &gt; 0">
        <xsl:variable name="k" select="string-length(substring-before($t, '.')) + 1"/>
        <xsl:value-of select="substring($s, 1, $k)"/>
        <!-- never before a digit: ap-southeast-2, 15.18 and 2026-10-01 stay whole -->
        <xsl:if test="not(contains('0123456789', substring($s, $k + 1, 1)))">
          <!-- written as text: libxml2's HTML writer does not know wbr is void ("<wbr></wbr>") -->
          <xsl:text disable-output-escaping="yes">&lt;wbr&gt;</xsl:text>
        </xsl:if>
        <xsl:call-template name="ident">
          <xsl:with-param name="s" select="substring($s, $k + 1)"/>
          <xsl:with-param name="left" select="$left - 1"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$s"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- A whole number of four digits or more, with separators; any other word as it is
       (as an identifier when html). -->
  <xsl:template name="count-word">
    <xsl:param name="w"/>
    <xsl:param name="html" select="false()"/>
    <xsl:choose>
      <xsl:when test="string-length($w) &gt;= 4 and string-length($w) &lt;= 15
                      and translate($w, '0123456789', '') = '' and substring($w, 1, 1) != '0'">
        <xsl:value-of select="format-number($w, '#,##0')"/>
      </xsl:when>
      <xsl:when test="$html">
        <xsl:call-template name="ident"><xsl:with-param name="s" select="$w"/></xsl:call-template>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$w"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- A value such as ">= 10000", "167 of 167 slots" or "ap-southeast-2, ap-southeast-4":
       each space-separated word through count-word. -->
  <xsl:template name="count-words">
    <xsl:param name="s"/>
    <xsl:param name="html" select="false()"/>
    <xsl:param name="left" select="32"/>
    <xsl:choose>
      <xsl:when test="$left &lt;= 0"><xsl:value-of select="$s"/></xsl:when>
      <xsl:when test="contains($s, ' ')">
        <xsl:call-template name="count-word">
          <xsl:with-param name="w" select="substring-before($s, ' ')"/>
          <xsl:with-param name="html" select="$html"/>
        </xsl:call-template>
        <xsl:text> </xsl:text>
        <xsl:call-template name="count-words">
          <xsl:with-param name="s" select="substring-after($s, ' ')"/>
          <xsl:with-param name="html" select="$html"/>
          <xsl:with-param name="left" select="$left - 1"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise>
        <xsl:call-template name="count-word">
          <xsl:with-param name="w" select="$s"/>
          <xsl:with-param name="html" select="$html"/>
        </xsl:call-template>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- A count (a number): 1000000 -> 1,000,000. -->
  <xsl:template name="count">
    <xsl:param name="n"/>
    <xsl:choose>
      <xsl:when test="string(number($n)) != 'NaN'"><xsl:value-of select="format-number($n, '#,##0')"/></xsl:when>
      <xsl:otherwise><xsl:value-of select="$n"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- Fold passing results of a check into one line when the report is long. -->
  <xsl:variable name="fold-over" select="12"/>

</xsl:stylesheet>
