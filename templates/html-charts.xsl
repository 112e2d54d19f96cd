<?xml version="1.0" encoding="UTF-8"?>
<!--
  Charts for the HTML reports, drawn as inline SVG by XSLT from numbers in the report
  XML: the phase timeline of a drill, a gauge of one measure against its objectives,
  and a bar chart of a series (RTO per drill with the drill target and RTO lines,
  gate pass rate per month). Coordinates are in a 1000-wide viewBox; the page scales it.
  Included by html.xsl.
-->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:v="urn:x-vouch:report"
                exclude-result-prefixes="v">

  <!-- One decimal at most: short, stable coordinates. -->
  <xsl:template name="n">
    <xsl:param name="x"/>
    <xsl:value-of select="format-number($x, '0.#')"/>
  </xsl:template>

  <!-- ================= the phase timeline =================
       One row per step: its name on the left, a bar placed by its offset and sized by its
       length on a common scale, its length to the right of the bar. A step too short to see
       still gets a visible sliver, and labels never share a row, so none overlap. -->
  <xsl:template name="timeline">
    <xsl:param name="phases"/>
    <xsl:variable name="rows" select="$phases/v:phase"/>
    <xsl:variable name="total">
      <xsl:choose>
        <xsl:when test="$phases/@total-ms &gt; 0"><xsl:value-of select="$phases/@total-ms"/></xsl:when>
        <xsl:otherwise>1</xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:variable name="x0" select="250"/>
    <xsl:variable name="w" select="610"/>
    <xsl:variable name="rh" select="30"/>
    <xsl:variable name="top" select="8"/>
    <xsl:variable name="h" select="$top + count($rows) * $rh + 30"/>
    <svg class="chart timeline" viewBox="0 0 1000 {$h}" role="img" aria-label="timeline of the drill's phases">
      <!-- grid: five ticks from the start to the end -->
      <xsl:for-each select="(//node())[position() &lt;= 5]">
        <xsl:variable name="f" select="(position() - 1) div 4"/>
        <xsl:variable name="gx"><xsl:call-template name="n"><xsl:with-param name="x" select="$x0 + $f * $w"/></xsl:call-template></xsl:variable>
        <line x1="{$gx}" y1="{$top - 4}" x2="{$gx}" y2="{$top + count($rows) * $rh + 4}" class="grid"/>
        <text x="{$gx}" y="{$top + count($rows) * $rh + 22}" class="axis" text-anchor="middle">
          <xsl:choose>
            <xsl:when test="$f = 0">start</xsl:when>
            <xsl:otherwise>
              <xsl:text>+</xsl:text>
              <xsl:call-template name="duration"><xsl:with-param name="ms" select="$total * $f"/></xsl:call-template>
            </xsl:otherwise>
          </xsl:choose>
        </text>
      </xsl:for-each>
      <xsl:for-each select="$rows">
        <xsl:variable name="y" select="$top + (position() - 1) * $rh"/>
        <xsl:variable name="bw0" select="@duration-ms div $total * $w"/>
        <xsl:variable name="bw">
          <xsl:choose>
            <xsl:when test="$bw0 &lt; 3">3</xsl:when>
            <xsl:otherwise><xsl:value-of select="$bw0"/></xsl:otherwise>
          </xsl:choose>
        </xsl:variable>
        <xsl:variable name="bx0" select="$x0 + @offset-ms div $total * $w"/>
        <xsl:variable name="bx">
          <xsl:choose>
            <xsl:when test="$bx0 + $bw &gt; $x0 + $w"><xsl:value-of select="$x0 + $w - $bw"/></xsl:when>
            <xsl:otherwise><xsl:value-of select="$bx0"/></xsl:otherwise>
          </xsl:choose>
        </xsl:variable>
        <xsl:if test="position() mod 2 = 1">
          <rect x="0" y="{$y}" width="1000" height="{$rh}" class="band"/>
        </xsl:if>
        <text x="{$x0 - 12}" y="{$y + 20}" text-anchor="end" class="label">
          <xsl:choose>
            <xsl:when test="string-length(@name) &gt; 30"><xsl:value-of select="concat(substring(@name, 1, 29), '…')"/></xsl:when>
            <xsl:otherwise><xsl:value-of select="@name"/></xsl:otherwise>
          </xsl:choose>
        </text>
        <rect y="{$y + 7}" height="{$rh - 14}" rx="3">
          <xsl:attribute name="x"><xsl:call-template name="n"><xsl:with-param name="x" select="$bx"/></xsl:call-template></xsl:attribute>
          <xsl:attribute name="width"><xsl:call-template name="n"><xsl:with-param name="x" select="$bw"/></xsl:call-template></xsl:attribute>
          <xsl:attribute name="class">
            <xsl:choose>
              <xsl:when test="@kind = 'end'">step step-end</xsl:when>
              <xsl:when test="contains(@name, 'fail')">step step-fail</xsl:when>
              <xsl:otherwise>step</xsl:otherwise>
            </xsl:choose>
          </xsl:attribute>
          <title><xsl:value-of select="@name"/></title>
        </rect>
        <text y="{$y + 20}" class="value">
          <xsl:attribute name="x"><xsl:call-template name="n"><xsl:with-param name="x" select="$bx + $bw + 8"/></xsl:call-template></xsl:attribute>
          <xsl:call-template name="duration"><xsl:with-param name="ms" select="@duration-ms"/></xsl:call-template>
        </text>
      </xsl:for-each>
    </svg>
  </xsl:template>

  <!-- ================= a gauge =================
       One measure on a scale that always shows its objectives: a bar for the measure,
       a marker and a label for each objective. -->
  <xsl:template name="gauge">
    <xsl:param name="measured"/>      <!-- ms, '' when unknown -->
    <xsl:param name="target" select="''"/>
    <xsl:param name="target-label" select="''"/>
    <xsl:param name="limit"/>
    <xsl:param name="limit-label"/>
    <xsl:param name="cls"/>           <!-- pass, warn, fail, none -->
    <xsl:variable name="max">
      <xsl:choose>
        <xsl:when test="string($measured) and $measured &gt; $limit * 1.25"><xsl:value-of select="$measured * 1.08"/></xsl:when>
        <xsl:otherwise><xsl:value-of select="$limit * 1.25"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:variable name="x0" select="8"/>
    <xsl:variable name="w" select="384"/>
    <svg class="chart gauge" viewBox="0 0 400 64" role="img">
      <xsl:attribute name="aria-label">
        <xsl:value-of select="concat('measured against ', $limit-label)"/>
      </xsl:attribute>
      <rect x="{$x0}" y="20" width="{$w}" height="14" rx="4" class="track"/>
      <xsl:if test="string($measured)">
        <xsl:variable name="bw0" select="$measured div $max * $w"/>
        <rect x="{$x0}" y="20" height="14" rx="4" class="fill f-{$cls}">
          <xsl:attribute name="width">
            <xsl:call-template name="n"><xsl:with-param name="x" select="$bw0 + 4 * ($bw0 &lt; 4)"/></xsl:call-template>
          </xsl:attribute>
        </rect>
      </xsl:if>
      <xsl:if test="string($target)">
        <xsl:variable name="tx"><xsl:call-template name="n"><xsl:with-param name="x" select="$x0 + $target div $max * $w"/></xsl:call-template></xsl:variable>
        <line x1="{$tx}" y1="14" x2="{$tx}" y2="40" class="mark-target"/>
        <text x="{$tx}" y="55" text-anchor="middle" class="axis"><xsl:value-of select="$target-label"/></text>
      </xsl:if>
      <xsl:variable name="lx"><xsl:call-template name="n"><xsl:with-param name="x" select="$x0 + $limit div $max * $w"/></xsl:call-template></xsl:variable>
      <line x1="{$lx}" y1="14" x2="{$lx}" y2="40" class="mark-limit"/>
      <text x="{$lx}" y="10" text-anchor="middle" class="axis strong"><xsl:value-of select="$limit-label"/></text>
      <text x="{$x0}" y="55" class="axis">0</text>
    </svg>
  </xsl:template>

  <!-- The smallest round duration (ms) that reaches raw in at most five steps. -->
  <xsl:template name="nice-step">
    <xsl:param name="raw"/>
    <xsl:param name="steps" select="'1000 2000 5000 10000 15000 30000 60000 120000 300000 600000 900000 1800000 3600000 7200000 10800000 21600000 43200000 86400000 172800000 604800000 '"/>
    <xsl:variable name="s" select="number(substring-before($steps, ' '))"/>
    <xsl:choose>
      <xsl:when test="$raw div $s &lt;= 5 or not(contains(substring-after($steps, ' '), ' '))"><xsl:value-of select="$s"/></xsl:when>
      <xsl:otherwise>
        <xsl:call-template name="nice-step">
          <xsl:with-param name="raw" select="$raw"/>
          <xsl:with-param name="steps" select="substring-after($steps, ' ')"/>
        </xsl:call-template>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- ================= a bar chart of a series =================
       RTO per drill (unit ms, with the drill target and RTO lines) or a rate per month
       (unit percent). A point without a value is drawn as a gap with a note. -->
  <xsl:template name="bar-chart">
    <xsl:param name="series"/>
    <xsl:variable name="pts" select="$series/v:point"/>
    <xsl:variable name="n" select="count($pts)"/>
    <xsl:variable name="pct" select="$series/@unit = 'percent'"/>
    <xsl:variable name="vmax">
      <xsl:for-each select="$pts[@value]">
        <xsl:sort select="@value" data-type="number" order="descending"/>
        <xsl:if test="position() = 1"><xsl:value-of select="@value"/></xsl:if>
      </xsl:for-each>
    </xsl:variable>
    <xsl:variable name="yraw">
      <xsl:choose>
        <xsl:when test="$pct">100</xsl:when>
        <xsl:when test="string($vmax) and $vmax &gt; $series/@limit * 1.15"><xsl:value-of select="$vmax * 1.1"/></xsl:when>
        <xsl:when test="$series/@limit"><xsl:value-of select="$series/@limit * 1.15"/></xsl:when>
        <xsl:when test="string($vmax) and $vmax &gt; 0"><xsl:value-of select="$vmax * 1.1"/></xsl:when>
        <xsl:otherwise>1</xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <!-- a round step, at most five of them up to the top -->
    <xsl:variable name="step">
      <xsl:choose>
        <xsl:when test="$pct">25</xsl:when>
        <xsl:otherwise>
          <xsl:call-template name="nice-step"><xsl:with-param name="raw" select="$yraw"/></xsl:call-template>
        </xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:variable name="ticks" select="ceiling($yraw div $step)"/>
    <xsl:variable name="ymax" select="$ticks * $step"/>
    <xsl:variable name="x0" select="90"/>
    <xsl:variable name="pw" select="880"/>
    <xsl:variable name="y0" select="250"/>
    <xsl:variable name="ph" select="220"/>
    <xsl:variable name="slot" select="$pw div ($n + ($n = 0))"/>
    <!-- more than 12 points: the labels of every k-th only, so that none overlap -->
    <xsl:variable name="every" select="ceiling($n div 12) + ($n = 0)"/>
    <xsl:variable name="bw">
      <xsl:choose>
        <xsl:when test="$slot * 0.6 &gt; 64">64</xsl:when>
        <xsl:otherwise><xsl:value-of select="$slot * 0.6"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:choose>
      <xsl:when test="$n = 1">
        <xsl:call-template name="one-point"><xsl:with-param name="series" select="$series"/></xsl:call-template>
      </xsl:when>
      <xsl:otherwise>
    <svg class="chart bars" viewBox="0 0 1000 300" role="img" aria-label="{$series/@name}">
      <!-- y axis: one line per step -->
      <xsl:for-each select="(//node())[position() &lt;= $ticks + 1]">
        <xsl:variable name="f" select="(position() - 1) div $ticks"/>
        <xsl:variable name="gy"><xsl:call-template name="n"><xsl:with-param name="x" select="$y0 - $f * $ph"/></xsl:call-template></xsl:variable>
        <line x1="{$x0}" y1="{$gy}" x2="{$x0 + $pw}" y2="{$gy}" class="grid"/>
        <text x="{$x0 - 8}" y="{$gy + 4}" text-anchor="end" class="axis">
          <xsl:choose>
            <xsl:when test="$pct"><xsl:value-of select="concat(round(100 * $f), '%')"/></xsl:when>
            <xsl:when test="$f = 0">0</xsl:when>
            <xsl:otherwise><xsl:call-template name="duration"><xsl:with-param name="ms" select="$ymax * $f"/></xsl:call-template></xsl:otherwise>
          </xsl:choose>
        </text>
      </xsl:for-each>
      <xsl:for-each select="$pts">
        <xsl:variable name="cx" select="$x0 + (position() - 0.5) * $slot"/>
        <xsl:variable name="cxs"><xsl:call-template name="n"><xsl:with-param name="x" select="$cx"/></xsl:call-template></xsl:variable>
        <xsl:variable name="labelled" select="(position() - 1) mod $every = 0 or @current"/>
        <xsl:choose>
          <xsl:when test="@value">
            <xsl:variable name="bh0" select="@value div $ymax * $ph"/>
            <xsl:variable name="bh" select="$bh0 + (2 - $bh0) * ($bh0 &lt; 2)"/>
            <xsl:variable name="cls">
              <xsl:choose>
                <xsl:when test="$pct and @value = 100">pass</xsl:when>
                <xsl:when test="$pct and @value &gt;= 50">warn</xsl:when>
                <xsl:when test="$pct">fail</xsl:when>
                <xsl:when test="@value &lt;= $series/@target">pass</xsl:when>
                <xsl:when test="@value &lt;= $series/@limit">warn</xsl:when>
                <xsl:otherwise>fail</xsl:otherwise>
              </xsl:choose>
            </xsl:variable>
            <rect width="{format-number($bw, '0.#')}" class="fill f-{$cls}">
              <xsl:if test="@current"><xsl:attribute name="class">fill f-<xsl:value-of select="$cls"/> current</xsl:attribute></xsl:if>
              <xsl:attribute name="x"><xsl:call-template name="n"><xsl:with-param name="x" select="$cx - $bw div 2"/></xsl:call-template></xsl:attribute>
              <xsl:attribute name="y"><xsl:call-template name="n"><xsl:with-param name="x" select="$y0 - $bh"/></xsl:call-template></xsl:attribute>
              <xsl:attribute name="height"><xsl:call-template name="n"><xsl:with-param name="x" select="$bh"/></xsl:call-template></xsl:attribute>
            </rect>
            <xsl:if test="$labelled">
              <text x="{$cxs}" text-anchor="middle" class="value">
                <xsl:attribute name="y"><xsl:call-template name="n"><xsl:with-param name="x" select="$y0 - $bh - 6"/></xsl:call-template></xsl:attribute>
                <xsl:choose>
                  <xsl:when test="$pct"><xsl:value-of select="concat(round(@value), '%')"/></xsl:when>
                  <xsl:otherwise><xsl:call-template name="duration"><xsl:with-param name="ms" select="@value"/></xsl:call-template></xsl:otherwise>
                </xsl:choose>
              </text>
            </xsl:if>
          </xsl:when>
          <xsl:when test="$labelled">
            <text x="{$cxs}" y="{$y0 - 8}" text-anchor="middle" class="axis">
              <xsl:choose>
                <xsl:when test="$pct">no gates</xsl:when>
                <xsl:otherwise>no RTO</xsl:otherwise>
              </xsl:choose>
            </text>
          </xsl:when>
        </xsl:choose>
        <xsl:if test="$labelled">
          <text x="{$cxs}" y="{$y0 + 18}" text-anchor="middle" class="label">
            <xsl:value-of select="@label"/>
            <xsl:if test="@current"> (this)</xsl:if>
          </text>
        </xsl:if>
        <xsl:if test="@at and $labelled">
          <text x="{$cxs}" y="{$y0 + 34}" text-anchor="middle" class="axis"><xsl:value-of select="substring(@at, 1, 10)"/></text>
        </xsl:if>
        <xsl:if test="$pct and @of &gt; 0 and $labelled">
          <text x="{$cxs}" y="{$y0 + 34}" text-anchor="middle" class="axis"><xsl:value-of select="concat(@passed, ' of ', @of)"/></text>
        </xsl:if>
      </xsl:for-each>
      <!-- the objectives, drawn over the bars -->
      <xsl:if test="not($pct) and $series/@target">
        <xsl:variable name="ty"><xsl:call-template name="n"><xsl:with-param name="x" select="$y0 - $series/@target div $ymax * $ph"/></xsl:call-template></xsl:variable>
        <line x1="{$x0}" y1="{$ty}" x2="{$x0 + $pw}" y2="{$ty}" class="mark-target"/>
        <text x="{$x0 + $pw}" y="{$ty - 5}" text-anchor="end" class="axis warn-text">
          <xsl:call-template name="duration"><xsl:with-param name="ms" select="$series/@target"/></xsl:call-template>
          <xsl:text> drill target</xsl:text>
        </text>
      </xsl:if>
      <xsl:if test="not($pct) and $series/@limit">
        <xsl:variable name="ly"><xsl:call-template name="n"><xsl:with-param name="x" select="$y0 - $series/@limit div $ymax * $ph"/></xsl:call-template></xsl:variable>
        <line x1="{$x0}" y1="{$ly}" x2="{$x0 + $pw}" y2="{$ly}" class="mark-limit"/>
        <text x="{$x0 + $pw}" y="{$ly - 5}" text-anchor="end" class="axis fail-text">
          <xsl:call-template name="duration"><xsl:with-param name="ms" select="$series/@limit"/></xsl:call-template>
          <xsl:text> RTO</xsl:text>
        </text>
      </xsl:if>
      <line x1="{$x0}" y1="{$y0}" x2="{$x0 + $pw}" y2="{$y0}" class="baseline"/>
    </svg>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- A series of one point (the RTO chart after the first drill, one month of gates) is
       a bar chart with nothing to compare: the value itself, labelled, and for an RTO a
       gauge against its objectives. -->
  <xsl:template name="one-point">
    <xsl:param name="series"/>
    <xsl:variable name="p" select="$series/v:point[1]"/>
    <xsl:variable name="pct" select="$series/@unit = 'percent'"/>
    <div class="one-point" role="img" aria-label="{$series/@name}">
      <span class="one-point-value">
        <xsl:choose>
          <xsl:when test="not($p/@value) and $pct">no gates</xsl:when>
          <xsl:when test="not($p/@value)">no RTO</xsl:when>
          <xsl:when test="$pct"><xsl:value-of select="concat(round($p/@value), '%')"/></xsl:when>
          <xsl:otherwise><xsl:call-template name="duration"><xsl:with-param name="ms" select="$p/@value"/></xsl:call-template></xsl:otherwise>
        </xsl:choose>
      </span>
      <span class="one-point-label">
        <xsl:value-of select="$p/@label"/>
        <xsl:if test="$p/@current"> (this)</xsl:if>
        <xsl:if test="$p/@at"><xsl:value-of select="concat(' · ', substring($p/@at, 1, 10))"/></xsl:if>
        <xsl:if test="$pct and $p/@of &gt; 0"><xsl:value-of select="concat(' · ', $p/@passed, ' of ', $p/@of, ' gates passed')"/></xsl:if>
        <xsl:if test="not($pct) and $series/@limit">
          <xsl:text> · against the </xsl:text>
          <xsl:if test="$series/@target">
            <xsl:call-template name="duration"><xsl:with-param name="ms" select="$series/@target"/></xsl:call-template>
            <xsl:text> drill target and the </xsl:text>
          </xsl:if>
          <xsl:call-template name="duration"><xsl:with-param name="ms" select="$series/@limit"/></xsl:call-template>
          <xsl:text> RTO</xsl:text>
        </xsl:if>
      </span>
      <xsl:if test="not($pct) and $series/@limit and $p/@value">
        <xsl:call-template name="gauge">
          <xsl:with-param name="measured" select="string($p/@value)"/>
          <xsl:with-param name="target" select="string($series/@target)"/>
          <xsl:with-param name="target-label"><xsl:call-template name="duration"><xsl:with-param name="ms" select="$series/@target"/></xsl:call-template> target</xsl:with-param>
          <xsl:with-param name="limit" select="$series/@limit"/>
          <xsl:with-param name="limit-label"><xsl:call-template name="duration"><xsl:with-param name="ms" select="$series/@limit"/></xsl:call-template> RTO</xsl:with-param>
          <xsl:with-param name="cls">
            <xsl:choose>
              <xsl:when test="$series/@target and $p/@value &lt;= $series/@target">pass</xsl:when>
              <xsl:when test="$p/@value &lt;= $series/@limit">warn</xsl:when>
              <xsl:otherwise>fail</xsl:otherwise>
            </xsl:choose>
          </xsl:with-param>
        </xsl:call-template>
      </xsl:if>
    </div>
  </xsl:template>
</xsl:stylesheet>
