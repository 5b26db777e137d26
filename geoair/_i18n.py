"""All user-facing labels, in English and Chinese: one table, one lookup.

Every string a person reads (report headings, map legends, table headers, figure labels,
CLI text) is looked up here with :func:`t`, so that ``lang="zh"`` leaves no English behind
and a test can list untranslated keys. Keys are grouped by the part of geoair that shows
them; add new keys to your module's block. Templates get :func:`t` as a global.

Values may hold :meth:`str.format` fields (``{n}``, ``{value:.1f}``); ``t(key, lang, **fields)``
fills them.
"""

from __future__ import annotations

__all__ = ["LABELS", "t", "resolve_lang", "has", "labels_for"]

LABELS: dict[str, dict[str, str]] = {
    # --- core -------------------------------------------------------------------------
    "estimate_note": {
        "en": "Estimates with intervals, not regulatory concentrations.",
        "zh": "估算值及其区间，非监管浓度。",
    },
    # --- data model: pollutants and source categories (schema.label) -------------------
    "pollutant.pm25": {"en": "PM2.5", "zh": "PM2.5"},
    "pollutant.pm10": {"en": "PM10", "zh": "PM10"},
    "pollutant.so2": {"en": "SO2", "zh": "二氧化硫"},
    "pollutant.no2": {"en": "NO2", "zh": "二氧化氮"},
    "pollutant.co": {"en": "CO", "zh": "一氧化碳"},
    "pollutant.o3": {"en": "O3", "zh": "臭氧"},
    "pollutant.o3_8h": {"en": "O3 8-h", "zh": "臭氧8小时"},
    "pollutant.aqi": {"en": "AQI", "zh": "空气质量指数"},
    "pollutant.ws": {"en": "wind speed", "zh": "风速"},
    "pollutant.wd": {"en": "wind direction", "zh": "风向"},
    "category.coal": {"en": "coal combustion", "zh": "燃煤"},
    "category.dust": {"en": "dust", "zh": "扬尘"},
    "category.vehicle": {"en": "vehicles", "zh": "机动车"},
    "category.burning": {"en": "biomass burning", "zh": "生物质燃烧"},
    "category.fireworks": {"en": "fireworks", "zh": "烟花爆竹"},
    "category.industry": {"en": "industry", "zh": "工业"},
    "category.cooking": {"en": "cooking", "zh": "餐饮"},
    "category.regional": {"en": "regional transport", "zh": "区域传输"},
    "category.other": {"en": "other", "zh": "其他"},
    "category.unexplained": {"en": "unexplained", "zh": "未解释部分"},
    "episode.dust": {"en": "dust", "zh": "沙尘"},
    "episode.fireworks": {"en": "fireworks", "zh": "烟花爆竹"},
    "episode.burning": {"en": "biomass burning", "zh": "生物质燃烧"},
    "episode.stagnation": {"en": "stagnation", "zh": "静稳"},
    "episode.regional": {"en": "regional transport", "zh": "区域传输"},
    "kind.power_plant": {"en": "power plant", "zh": "电厂"},
    "kind.steel_plant": {"en": "steel plant", "zh": "钢铁厂"},
    "kind.construction": {"en": "construction site", "zh": "建筑工地"},
    "kind.fire_cluster": {"en": "fire cluster", "zh": "火点聚类"},
    # --- hotspot classes (Gi*, emerging hot spots) -------------------------------------
    "class.hot": {"en": "hot spot", "zh": "热点"},
    "class.cold": {"en": "cold spot", "zh": "冷点"},
    "class.not significant": {"en": "not significant", "zh": "不显著"},
    "class.no data": {"en": "no station", "zh": "无站点"},
    "ehsa.kind.hot": {"en": "hot", "zh": "热点"},
    "ehsa.kind.cold": {"en": "cold", "zh": "冷点"},
    "ehsa.new": {"en": "new {kind} spot", "zh": "新增{kind}"},
    "ehsa.consecutive": {"en": "consecutive {kind} spot", "zh": "连续{kind}"},
    "ehsa.intensifying": {"en": "intensifying {kind} spot", "zh": "加强{kind}"},
    "ehsa.persistent": {"en": "persistent {kind} spot", "zh": "持续{kind}"},
    "ehsa.diminishing": {"en": "diminishing {kind} spot", "zh": "减弱{kind}"},
    "ehsa.sporadic": {"en": "sporadic {kind} spot", "zh": "零星{kind}"},
    "ehsa.oscillating": {"en": "oscillating {kind} spot", "zh": "振荡{kind}"},
    "ehsa.historical": {"en": "historical {kind} spot", "zh": "历史{kind}"},
    "ehsa.none": {"en": "no pattern detected", "zh": "无显著模式"},
    "level.red": {"en": "red", "zh": "红"},
    "level.yellow": {"en": "yellow", "zh": "黄"},
    "level.green": {"en": "green", "zh": "绿"},
    "compass.N": {"en": "N", "zh": "北"},
    "compass.NE": {"en": "NE", "zh": "东北"},
    "compass.E": {"en": "E", "zh": "东"},
    "compass.SE": {"en": "SE", "zh": "东南"},
    "compass.S": {"en": "S", "zh": "南"},
    "compass.SW": {"en": "SW", "zh": "西南"},
    "compass.W": {"en": "W", "zh": "西"},
    "compass.NW": {"en": "NW", "zh": "西北"},
    # --- table headers (briefing tables, shared) --------------------------------------
    "col.adcode": {"en": "county code", "zh": "行政区划代码"},
    "col.county": {"en": "county", "zh": "区县"},
    "col.city": {"en": "city", "zh": "城市"},
    "col.value": {"en": "{pollutant} (µg/m³)", "zh": "{pollutant}（µg/m³）"},
    "col.n_stations": {"en": "stations", "zh": "站点数"},
    "col.value_lower": {"en": "lower 90 % (µg/m³)", "zh": "90%区间下限（µg/m³）"},
    "col.value_upper": {"en": "upper 90 % (µg/m³)", "zh": "90%区间上限（µg/m³）"},
    "col.basis": {"en": "basis", "zh": "依据"},
    "basis.monitored": {"en": "monitored", "zh": "有站点"},
    "basis.estimated": {"en": "estimated", "zh": "估算"},
    "col.gi_z": {"en": "Gi* z-score", "zh": "Gi* z值"},
    "col.p_fdr": {"en": "p (FDR)", "zh": "p值（FDR校正）"},
    "col.hotspot": {"en": "class", "zh": "类别"},
    "col.pattern": {"en": "pattern", "zh": "模式"},
    "col.n_counties": {"en": "counties", "zh": "区县数"},
    "col.category": {"en": "source category", "zh": "源类别"},
    "col.share": {"en": "share (%)", "zh": "占比（%）"},
    "col.lower": {"en": "lower (%)", "zh": "下限（%）"},
    "col.upper": {"en": "upper (%)", "zh": "上限（%）"},
    "col.n_fires": {"en": "fire detections", "zh": "火点数"},
    "col.n_prev": {"en": "previous year", "zh": "上年同期"},
    "col.change": {"en": "change", "zh": "变化"},
    "col.change_pct": {"en": "change (%)", "zh": "变化（%）"},
    "col.period": {"en": "period", "zh": "时段"},
    "col.unit": {"en": "unit", "zh": "评价单元"},
    "col.year": {"en": "year", "zh": "年份"},
    "col.as_of": {"en": "data up to", "zh": "数据截至"},
    "col.days_remaining": {"en": "days remaining", "zh": "剩余天数"},
    "col.pm25_days": {"en": "PM2.5 days", "zh": "PM2.5有效天数"},
    "col.pm25_mean_to_date": {"en": "PM2.5 mean to date (µg/m³)", "zh": "已有PM2.5均值（µg/m³）"},
    "col.pm25_max_remaining_mean": {"en": "max. PM2.5 mean for the rest (µg/m³)",
                                    "zh": "剩余时段PM2.5均值上限（µg/m³）"},
    "col.pm25_reachable": {"en": "PM2.5 target reachable", "zh": "PM2.5目标可达"},
    "col.aqi_days": {"en": "AQI days", "zh": "AQI有效天数"},
    "col.good_days": {"en": "good days", "zh": "优良天数"},
    "col.good_ratio_to_date": {"en": "good-day ratio to date (%)", "zh": "已有优良天数比例（%）"},
    "col.polluted_days_allowed": {"en": "polluted days still allowed", "zh": "尚可容许污染天数"},
    "col.good_ratio_reachable": {"en": "good-day target reachable", "zh": "优良比例目标可达"},
    "value.all": {"en": "whole region", "zh": "全区域"},
    "value.true": {"en": "yes", "zh": "是"},
    "value.false": {"en": "no", "zh": "否"},
    # --- briefing ---------------------------------------------------------------------
    "briefing.title": {"en": "Air quality briefing", "zh": "空气质量简报"},
    "briefing.period": {"en": "Period", "zh": "时段"},
    "briefing.generated": {"en": "Generated by geoair", "zh": "由 geoair 生成"},
    "briefing.run_time": {"en": "run time", "zh": "运行时间"},
    "briefing.seconds": {"en": "{name} {value:.1f} s", "zh": "{name} {value:.1f} 秒"},
    "briefing.none": {"en": "—", "zh": "—"},
    "briefing.rows_shown": {"en": "First {n} of {total} rows; all rows in {file}.",
                            "zh": "显示前 {n} 行（共 {total} 行）；完整表格见 {file}。"},
    "briefing.section.data": {"en": "Data and quality control", "zh": "数据与质量控制"},
    "briefing.section.aqi": {"en": "AQI summary and county league table", "zh": "空气质量指数概况与区县排名"},
    "briefing.section.budget": {"en": "Target budget", "zh": "目标差距"},
    "briefing.section.attribution": {"en": "Attribution shares", "zh": "来源解析：各类源占比"},
    "briefing.section.episodes": {"en": "Episodes (station-hours flagged)", "zh": "污染过程（站点小时数）"},
    "briefing.section.hotspots": {"en": "County hotspots", "zh": "区县热点"},
    "briefing.section.emerging": {"en": "Emerging hot spots (daily Gi* + Mann-Kendall)",
                                  "zh": "新兴热点（逐日Gi*与Mann-Kendall趋势）"},
    "briefing.section.fires": {"en": "Fire summary", "zh": "火点概况"},
    "briefing.section.priority": {"en": "Priority list for inspection", "zh": "重点核查清单"},
    "briefing.section.map": {"en": "Interactive map (offline)", "zh": "交互地图（离线可用）"},
    "briefing.section.omitted": {"en": "Sections not produced", "zh": "未生成的部分"},
    "briefing.section.wind_arrows": {"en": "wind arrows on the map", "zh": "地图风场箭头"},
    "briefing.section.polar_plots": {"en": "polar plots in station popups", "zh": "站点弹窗中的极坐标图"},
    "briefing.reason.not_in_build": {"en": "{module} is not available in this build",
                                     "zh": "当前安装中没有 {module} 模块"},
    "briefing.reason.few_counties": {"en": "fewer than 5 counties with {pollutant} data",
                                     "zh": "有{pollutant}数据的区县少于 5 个"},
    "briefing.reason.few_days": {"en": "fewer than 5 days of data", "zh": "数据不足 5 天"},
    "briefing.reason.weather_no_met": {
        "en": "the observations carry no station meteorology (ws/wd, temp, "
              "dewp/rh, pres ...)",
        "zh": "监测数据不含站点气象要素（风速风向、气温、露点/湿度、气压等）"},
    "briefing.reason.weather_short": {
        "en": "the record covers {days} days; it needs {min_days} (the ranked "
              "year's weather must be one of several)",
        "zh": "数据仅 {days} 天，至少需要 {min_days} 天（排名年份的气象须是多年气象之一）"},
    "briefing.reason.weather_pollutant": {
        "en": "computed for PM2.5 briefings only",
        "zh": "仅用于 PM2.5 简报"},
    "briefing.section.weather": {"en": "League table, observed and weather-adjusted",
                                 "zh": "区县排名：实测与气象校正"},
    "briefing.weather.note": {
        "en": "{start} to {end}: counties ranked on observed PM2.5 and on weather-normalised PM2.5 "
              "(geoair.deweather: gradient boosting on trend, calendar and meteorology, the weather of "
              "the whole record averaged over; {n_ok} of {n} stations fitted well, median "
              "cross-validated R² {r2:.2f}). A county that rises in the adjusted rank owed part of its "
              "observed rank to unfavourable weather.",
        "zh": "{start} 至 {end}：按实测 PM2.5 与气象归一化 PM2.5 分别排名（geoair.deweather：以趋势、日历与气象"
              "训练梯度提升模型，对全时段气象取平均；{n} 个站点中 {n_ok} 个拟合良好，交叉验证 R² 中位数 {r2:.2f}）。"
              "校正后排名上升的区县，其实测排名部分受不利气象影响。"},
    "briefing.reason.no_station_wind": {"en": "the observations carry no station wind (ws, wd)",
                                        "zh": "监测数据不含站点风速风向（ws、wd）"},
    "briefing.reason.no_wind": {
        "en": "no wind for the period: neither a wind field ([data] wind, ERA5) nor station ws/wd",
        "zh": "该时段无风资料：既无风场（配置 [data] wind，ERA5），也无站点风速风向",
    },
    "briefing.data.text": {
        "en": "{n_stations} stations with {pollutant} data in {n_counties} counties (of {n_region} counties in the region); "
              "{n_hours} station-hours; {n_sources} sources; {n_dropped} rows/values removed or flagged "
              "(tables/droplog.csv).",
        "zh": "{n_counties} 个区县（区域共 {n_region} 个区县）内 {n_stations} 个有{pollutant}数据的站点；{n_hours} 个站点小时；"
              "{n_sources} 个污染源；剔除或标记 {n_dropped} 条记录/数值（tables/droplog.csv）。",
    },
    "briefing.aqi.text": {
        "en": "{n_days} days; mean PM2.5 {pm25:.0f} µg/m³; good-day ratio {good_ratio:.1f} %; "
              "{polluted} polluted days, {heavy} heavy or worse (all stations as one unit, HJ 633 / HJ 663).",
        "zh": "{n_days} 天；PM2.5 均值 {pm25:.0f} µg/m³；优良天数比例 {good_ratio:.1f}%；"
              "污染天 {polluted} 天，其中重度及以上 {heavy} 天（全部站点作为一个评价单元，HJ 633/HJ 663）。",
    },
    "briefing.aqi.figure": {"en": "Daily AQI, mean over stations", "zh": "区域日均AQI（站点平均）"},
    "briefing.budget.note": {
        "en": "Targets: annual PM2.5 {pm25:g} µg/m³, good-day ratio {good_ratio:g} %, year {year} "
              "(change in the configuration's [targets]).",
        "zh": "目标：PM2.5 年均 {pm25:g} µg/m³，优良天数比例 {good_ratio:g}%，{year} 年（配置文件 [targets] 可改）。",
    },
    "briefing.attribution.note": {
        "en": "SourceAttribution (plume exposure + non-negative regression, {n_bootstrap} day-block "
              "bootstrap replicates, 90 % intervals; wind: {wind}). Shares of mean PM2.5 over all "
              "stations. Estimates with intervals, not regulatory concentrations.",
        "zh": "SourceAttribution（烟羽暴露 + 非负回归，{n_bootstrap} 次按日分块自助法，90% 区间；"
              "风场：{wind}）。全部站点平均PM2.5的占比。结果为带区间的估计值，非监管浓度。",
    },
    "briefing.attribution.figure": {"en": "PM2.5 source shares by county (station mean, %)",
                                    "zh": "各区县PM2.5来源占比（站点平均，%）"},
    "briefing.wind.field": {"en": "wind field", "zh": "网格风场"},
    "briefing.wind.stations": {"en": "station wind", "zh": "站点风"},
    "briefing.wind.none": {"en": "no wind (isotropic kernel)", "zh": "无风资料（各向同性核）"},
    "briefing.hotspots.method": {
        "en": "Local Getis-Ord Gi* (binary k-nearest-neighbour weights, k={k}, {permutations} conditional "
              "permutations, two-sided, Benjamini-Hochberg FDR) on the period mean {pollutant} of {n} "
              "counties.",
        "zh": "局部 Getis-Ord Gi*（k近邻二值权重 k={k}，{permutations} 次条件置换，双侧检验，"
              "Benjamini-Hochberg FDR 校正），对象为 {n} 个区县的 {pollutant} 时段均值。",
    },
    "briefing.hotspots.on_surface": {
        "en": "County means from the interpolated surface (geoair.surface: daily block kriging of the station "
              "daily means, averaged over the period, with a 90 % interval); {n_est} of the {n} counties have "
              "no station and are estimated; counties beyond every station's variogram range are not ranked.",
        "zh": "区县均值取自插值浓度面（站点日均值逐日块克里金插值后求时段均值，附 90% 区间）；"
              "{n} 个区县中 {n_est} 个无站点，为估算值；超出所有站点变差函数变程的区县不参与排序。",
    },
    "briefing.hotspots.on_stations": {
        "en": "County means are the means of the stations inside each county (counties with stations only): {reason}.",
        "zh": "区县均值为区县内站点均值（仅含有站点的区县）：{reason}。",
    },
    "briefing.hotspots.by_config": {"en": "as configured (analysis.county_values = \"stations\")",
                                    "zh": "按配置（analysis.county_values = \"stations\"）"},
    "briefing.hotspots.surface_failed": {"en": "the interpolated surface could not be computed ({reason})",
                                         "zh": "无法计算插值浓度面（{reason}）"},
    "briefing.hotspots.figure": {"en": "{pollutant} Gi* (FDR, α={alpha})", "zh": "{pollutant} Gi*（FDR，α={alpha}）"},
    "briefing.emerging.note": {
        "en": "{n_days} days of county means; α={alpha} (FDR); Esri emerging hot spot definitions.",
        "zh": "{n_days} 天的区县日均值；α={alpha}（FDR）；采用 Esri 新兴热点定义。",
    },
    "briefing.fires.text": {
        "en": "{n_all} FIRMS detections inside the region ({span}); {n_qc} after quality control "
              "(confidence ≥ {conf:g} %, non-vegetation types removed); {n_clusters} space-time clusters "
              "(DBSCAN, {eps:g} km, {hours:g} h, at least {min_samples} detections).",
        "zh": "区域内 FIRMS 火点 {n_all} 个（{span}），质控后 {n_qc} 个（置信度 ≥ {conf:g}%，剔除非植被类型）；"
              "时空聚类 {n_clusters} 个（DBSCAN，{eps:g} km，{hours:g} 小时，至少 {min_samples} 个火点）。",
    },
    "briefing.fires.no_yoy": {"en": "Year-on-year change not shown: the data hold one year only.",
                              "zh": "数据仅含一年，未给出同比变化。"},
    "briefing.fires.bar_title": {"en": "Fires per county", "zh": "区县火点数"},
    "briefing.fires.bar_x": {"en": "detections", "zh": "火点数"},
    "briefing.fires.density": {"en": "Fire kernel density (per km², 10 km bandwidth)",
                               "zh": "火点核密度（个/km²，带宽10 km）"},
    "briefing.priority.note": {
        "en": "Sources ranked by the exceedance hours they help explain (with the strength of the "
              "evidence); fire clusters by recency-weighted detections. The two scores are never added "
              "or compared: see the sheet \"how to read\" in the workbook.",
        "zh": "污染源按其参与解释的超标小时数（及证据强度）排序；火点聚类按时效加权的火点数排序。"
              "两种得分不相加、不相互比较，详见工作簿中的“阅读说明”工作表。",
    },
    "briefing.priority.note_fires": {
        "en": "Fire clusters ranked by recency-weighted detections; sources enter the list with attribution scores.",
        "zh": "火点聚类按时效加权的火点数排序；污染源需溯源结果方可进入清单。",
    },
    "briefing.map.link": {"en": "open the map in its own window", "zh": "在新窗口打开地图"},
    "briefing.map.frame": {"en": "interactive map", "zh": "交互地图"},
    "step.load": {"en": "load data", "zh": "读取数据"},
    "step.aqi": {"en": "AQI", "zh": "空气质量指数"},
    "step.weather": {"en": "weather-adjusted ranking", "zh": "气象校正排名"},
    "step.attribution": {"en": "attribution", "zh": "来源解析"},
    "step.hotspots": {"en": "hotspots", "zh": "热点"},
    "step.fires": {"en": "fires", "zh": "火点"},
    "step.feedback": {"en": "last round's results", "zh": "上一轮检查结果"},
    "step.priority": {"en": "priority list", "zh": "核查清单"},
    "step.map": {"en": "map", "zh": "地图"},
    "step.render": {"en": "report", "zh": "报告"},
    # --- map --------------------------------------------------------------------------
    "map.layer.context": {"en": "Provinces and cities", "zh": "省市边界"},
    "map.layer.counties": {"en": "Counties (hotspot class)", "zh": "区县（热点类别）"},
    "map.layer.stations": {"en": "Stations", "zh": "监测站点"},
    "map.layer.fires": {"en": "Fire heat", "zh": "火点热力"},
    "map.layer.clusters": {"en": "Fire clusters", "zh": "火点聚类"},
    "map.layer.priority": {"en": "Priority sources", "zh": "重点污染源"},
    "map.layer.sources": {"en": "All sources", "zh": "全部污染源"},
    "map.layer.wind": {"en": "Wind", "zh": "风场"},
    "map.top_sources": {"en": "Top sources", "zh": "主要来源"},
    "map.fires_n": {"en": "{n} fires", "zh": "{n} 个火点"},
    "map.cluster": {"en": "fire cluster {id}", "zh": "火点聚类 {id}"},
    "map.wind_speed": {"en": "{ws:.1f} m/s", "zh": "{ws:.1f} 米/秒"},
    "map.legend.classes": {"en": "County class", "zh": "区县类别"},
    "map.legend.levels": {"en": "Inspection level", "zh": "核查等级"},
    "map.aqi": {"en": "mean AQI {aqi}", "zh": "平均AQI {aqi}"},
    # --- priority ---------------------------------------------------------------------
    "priority.col.rank": {"en": "Rank", "zh": "排序"},
    "priority.col.level": {"en": "Level", "zh": "等级"},
    "priority.col.group": {"en": "List", "zh": "清单类别"},
    "priority.col.source_id": {"en": "Source ID", "zh": "源编号"},
    "priority.col.name": {"en": "Name", "zh": "名称"},
    "priority.col.kind": {"en": "Kind", "zh": "类型"},
    "priority.col.category": {"en": "Category", "zh": "源类别"},
    "priority.col.city": {"en": "City", "zh": "城市"},
    "priority.col.county": {"en": "County", "zh": "区县"},
    "priority.col.adcode": {"en": "County code", "zh": "行政区划代码"},
    "priority.col.address": {"en": "Address", "zh": "地址"},
    "priority.col.credit_code": {"en": "Unified social credit code", "zh": "统一社会信用代码"},
    "priority.col.lon_wgs84": {"en": "Longitude (WGS84)", "zh": "经度(WGS84)"},
    "priority.col.lat_wgs84": {"en": "Latitude (WGS84)", "zh": "纬度(WGS84)"},
    "priority.col.lon_gcj02": {"en": "Longitude (GCJ-02)", "zh": "经度(GCJ-02)"},
    "priority.col.lat_gcj02": {"en": "Latitude (GCJ-02)", "zh": "纬度(GCJ-02)"},
    "priority.col.station": {"en": "Most affected station (code)", "zh": "受影响站点编码"},
    "priority.col.station_name": {"en": "Most affected station", "zh": "受影响站点"},
    "priority.col.distance_km": {"en": "Distance to station (km)", "zh": "距站点距离(km)"},
    "priority.col.bearing_deg": {"en": "Bearing source→station (°)", "zh": "源至站点方位角(°)"},
    "priority.col.bearing": {"en": "Direction source→station", "zh": "源至站点方向"},
    "priority.col.contribution": {"en": "Contribution (µg/m³)", "zh": "估计贡献(µg/m³)"},
    "priority.col.contribution_lower": {"en": "Contribution lower (µg/m³)", "zh": "贡献下限(µg/m³)"},
    "priority.col.contribution_upper": {"en": "Contribution upper (µg/m³)", "zh": "贡献上限(µg/m³)"},
    "priority.col.hours_upwind": {"en": "Hours upwind (h)", "zh": "上风向小时数(h)"},
    "priority.col.exceedance_hours": {"en": "Exceedance hours explained (h)", "zh": "参与解释的超标小时数(h)"},
    "priority.col.n_fires": {"en": "Fire detections", "zh": "火点数"},
    "priority.col.last_seen": {"en": "Last seen", "zh": "最近观测时间"},
    "priority.col.score": {"en": "Score", "zh": "优先得分"},
    "priority.col.score_unit": {"en": "Score unit", "zh": "得分单位"},
    "priority.col.evidence": {"en": "Evidence", "zh": "证据"},
    "priority.group.source": {"en": "source", "zh": "污染源"},
    "priority.group.fire_cluster": {"en": "fire cluster", "zh": "火点聚类"},
    "priority.unit.source": {"en": "weighted exceedance hours (h)", "zh": "加权超标小时数(h)"},
    "priority.unit.fire_cluster": {"en": "recency-weighted detections", "zh": "时效加权火点数"},
    "priority.sheet.list": {"en": "priority", "zh": "优先名单"},
    "priority.sheet.howto": {"en": "how to read", "zh": "阅读说明"},
    "priority.howto.term": {"en": "Item", "zh": "项目"},
    "priority.howto.meaning": {"en": "Meaning", "zh": "含义"},
    "priority.evidence.fire": {
        "en": "Satellite fire cluster of {n} detections, total FRP {frp:.0f} MW, last detected {last}.",
        "zh": "卫星火点聚类：{n}个火点，总辐射功率{frp:.0f} MW，最近一次观测于{last}。",
    },
    "priority.evidence.upwind": {
        "en": "Upwind of station {station} for {hours:.0f} h{dist}",
        "zh": "位于站点{station}上风向{hours:.0f}小时{dist}",
    },
    "priority.evidence.near": {
        "en": "Near station {station}{dist} (no wind direction: distance only)",
        "zh": "邻近站点{station}{dist}（无风向资料，仅按距离）",
    },
    "priority.evidence.dist": {"en": ", {km:.1f} km to its {bearing}", "zh": "，站点在其{bearing}方向{km:.1f}公里处"},
    "priority.evidence.source": {
        "en": "{where}; estimated mean contribution {c:.1f} µg/m³ (90 % interval {lo:.1f}-{hi:.1f}); "
              "a material part of the excess in {exc:.0f} exceedance hours.",
        "zh": "{where}；估计平均贡献{c:.1f} µg/m³（90%区间{lo:.1f}–{hi:.1f}），"
              "在{exc:.0f}个超标小时中贡献了相当部分的超出量。",
    },
    "priority.evidence.weak": {"en": " Interval includes zero: weak evidence.", "zh": "区间含零，证据较弱。"},
    "priority.howto.rank": {
        "en": "Order of inspection: red before yellow before green; within a level sources with "
              "attribution evidence first, then fire clusters; within each list by its own score.",
        "zh": "核查顺序：红先于黄先于绿；同一等级内先列有溯源证据的污染源，再列火点聚类；各自按本类得分排序。",
    },
    "priority.howto.level": {
        "en": "Sources: red when the 90 % interval excludes zero, >= {red_hours:g} exceedance hours are "
              "explained and the contribution is >= {min_c:g} µg/m³ (and the source is still active); "
              "yellow when the interval excludes zero or >= {yellow_hours:g} hours are explained, with a "
              "contribution >= {min_c10:g} µg/m³; else green. Fire clusters: red when seen within 2 days "
              "with >= 10 detections, yellow within {half_life:g} days, else green.",
        "zh": "污染源：90%区间不含零、参与解释超标小时数 ≥ {red_hours:g} 且贡献 ≥ {min_c:g} µg/m³（且仍在生产）为红；"
              "区间不含零或参与解释超标小时数 ≥ {yellow_hours:g}、且贡献 ≥ {min_c10:g} µg/m³ 为黄；其余为绿。"
              "火点聚类：2天内观测到且火点数 ≥ 10 为红，{half_life:g} 天内为黄，其余为绿。",
    },
    "priority.howto.score": {
        "en": "Two different scores that are never added or compared. Sources: weighted exceedance hours "
              "(h) = exceedance hours explained x min(1, contribution / {min_c:g} µg/m³) x 0.5 when the "
              "interval includes zero x recency. Fire clusters: recency-weighted detections = detections "
              "x 0.5^(days since last detection / {half_life:g}).",
        "zh": "两种得分含义不同，不相加也不比较。污染源：加权超标小时数(h) = 参与解释超标小时数 × min(1, 贡献/{min_c:g} µg/m³)"
              " × 0.5（区间含零时）× 时效系数。火点聚类：时效加权火点数 = 火点数 × 0.5^(距最近观测天数/{half_life:g})。",
    },
    "priority.howto.exceedance": {
        "en": "Exceedance hour: an hour with PM2.5 >= 75 µg/m³ at the station; a source helps explain it "
              "when it supplied a material part of the local excess above the regional background "
              "(see geoair.apportion.SourceAttribution, explain_frac).",
        "zh": "超标小时：站点PM2.5 ≥ 75 µg/m³ 的小时；若某源贡献了超出区域背景的局地增量的相当部分，即视为参与解释该小时"
              "（见 geoair.apportion.SourceAttribution 的 explain_frac）。",
    },
    "priority.howto.contribution": {
        "en": "Contribution: estimated mean PM2.5 added at the most affected station over the period, "
              "rounded to 0.1 µg/m³, with its 90 % bootstrap interval. Sources whose contribution rounds "
              "to 0.0 are left out. Estimates with intervals, not regulatory concentrations.",
        "zh": "估计贡献：该源在整个时段对受影响最大站点PM2.5的平均增量，保留 0.1 µg/m³，附 90% 自助法区间。"
              "贡献四舍五入为 0.0 的源不列入。结果为带区间的估计值，非监管浓度。",
    },
    "priority.howto.distance": {
        "en": "Distance and bearing: geodesic distance (km, WGS84 ellipsoid) from the source to the most "
              "affected station, and the direction of the station seen from the source (degrees clockwise "
              "from north).",
        "zh": "距离与方位：源到受影响最大站点的大地线距离（km，WGS84椭球），以及从源看站点的方向（自正北顺时针的度数）。",
    },
    "priority.howto.coords": {
        "en": "Coordinates: WGS84 for GIS and GPS; GCJ-02 for phone maps in China (AMap, Tencent); "
              "6 decimals (about 0.1 m).",
        "zh": "坐标：WGS84 用于GIS和GPS；GCJ-02 用于国内手机地图（高德、腾讯）；保留 6 位小数（约 0.1 米）。",
    },
    "priority.howto.ids": {
        "en": "Source ID, address and unified social credit code are copied from the input when it has them.",
        "zh": "源编号、地址和统一社会信用代码在输入数据提供时原样带出。",
    },
    # --- CLI summary (geoair.io.describe) ---------------------------------------------
    "describe.title_obs": {"en": "Observations", "zh": "监测数据"},
    "describe.title_sta": {"en": "Stations", "zh": "监测站点"},
    "describe.source": {"en": "source", "zh": "来源"},
    "describe.stations": {"en": "stations", "zh": "站点数"},
    "describe.hours": {"en": "hours", "zh": "小时数"},
    "describe.rows": {"en": "station-hours", "zh": "站点小时数"},
    "describe.coverage": {"en": "time coverage", "zh": "时间范围"},
    "describe.completeness": {"en": "completeness (valid station-hours)", "zh": "数据完整率(有效站点小时)"},
    "describe.mean": {"en": "mean", "zh": "均值"},
    "describe.drops": {"en": "dropped or masked", "zh": "剔除或屏蔽"},
    "describe.none": {"en": "none", "zh": "无"},
    "describe.background": {"en": "background stations", "zh": "对照点"},
    "describe.closed": {"en": "closed stations", "zh": "已停运站点"},
    "describe.cities": {"en": "cities", "zh": "城市数"},
    "describe.bundled": {"en": "bundled data", "zh": "内置数据"},
    # --- figures ----------------------------------------------------------------------
    "figures.negative_parts": {"en": "{n} negative shares not drawn", "zh": "{n} 个负占比未绘出"},
    # --- directional figures ----------------------------------------------------------
    "directional.N": {"en": "N", "zh": "北"},
    "directional.E": {"en": "E", "zh": "东"},
    "directional.S": {"en": "S", "zh": "南"},
    "directional.W": {"en": "W", "zh": "西"},
    "directional.ws": {"en": "wind speed (m/s)", "zh": "风速 (m/s)"},
    "directional.prob": {"en": "probability", "zh": "概率"},
    "directional.calm": {"en": "calm", "zh": "静风"},
    "directional.hour": {"en": "hour", "zh": "小时"},
    "directional.weekday": {"en": "weekday", "zh": "星期"},
    "directional.month": {"en": "month", "zh": "月份"},
    "directional.hour_rings": {"en": "hour: 0 (inner) - 23 (outer)", "zh": "小时：0（内圈）- 23（外圈）"},
    "directional.freq": {"en": "frequency (%)", "zh": "频率 (%)"},
    "directional.days": {"en": "Mon,Tue,Wed,Thu,Fri,Sat,Sun", "zh": "周一,周二,周三,周四,周五,周六,周日"},
    # --- attribution ------------------------------------------------------------------
    # --- integrity --------------------------------------------------------------------
    "integrity_suppression": {
        "en": "{pol} averaged {observed:.0f} µg/m³ over {n_hours} h ({start} to {end}) while its "
              "neighbours implied {expected:.0f} µg/m³ ({change:+.0%}); score {score:.1f}.",
        "zh": "{start}至{end}共{n_hours}小时，{pol}均值{observed:.0f} µg/m³，而邻近站点推算应为"
              "{expected:.0f} µg/m³（{change:+.0%}）；得分{score:.1f}。",
    },
    "integrity_capping": {
        "en": "{pol} never exceeded {cap:.0f} µg/m³ (the AQI-100 concentration) over {n_hours} h "
              "({start} to {end}) while its neighbours implied {expected:.0f} µg/m³ on average and "
              "above {cap:.0f} in {n_above} h; score {score:.1f}.",
        "zh": "{start}至{end}共{n_hours}小时，{pol}从未超过{cap:.0f} µg/m³（AQI为100的浓度），而邻近"
              "站点推算均值为{expected:.0f} µg/m³，其中{n_above}小时应高于{cap:.0f}；得分{score:.1f}。",
    },
    "integrity_drift": {
        "en": "{pol} fell progressively below its neighbours over {n_hours} h ({start} to {end}), "
              "averaging {observed:.0f} against {expected:.0f} µg/m³ ({change:+.0%}), as a clogging "
              "inlet would; score {score:.1f}.",
        "zh": "{start}至{end}共{n_hours}小时，{pol}相对邻近站点逐渐走低，均值{observed:.0f}对"
              "{expected:.0f} µg/m³（{change:+.0%}），与采样头逐渐堵塞的表现一致；得分{score:.1f}。",
    },
    "integrity_flatline": {
        "en": "{pol} stayed at exactly {value:g} µg/m³ for {n_repeat} readings ({start} to {end}); "
              "an analyser in normal operation rarely repeats that long at this level; score "
              "{score:.1f}.",
        "zh": "{start}至{end}，{pol}连续{n_repeat}个读数恒为{value:g} µg/m³；正常运行的仪器在此浓度下"
              "很少如此长时间重复；得分{score:.1f}。",
    },
    "integrity_copy": {
        "en": "{pol} equalled station {partner}'s values ({distance}{lag}) in {n_equal} hours "
              "({start} to {end}); score {score:.1f}.",
        "zh": "{start}至{end}，{pol}有{n_equal}小时与站点{partner}（{distance}{lag}）的数值完全相同；"
              "得分{score:.1f}。",
    },
    "integrity_copy_source": {
        "en": " This station looks more like the source than the copier: the shared series "
              "agrees with its own gases and other neighbours, and {partner} is the more likely "
              "copier (ranked by that station's event).",
        "zh": "本站更像被复制的一方而非复制方：相同的序列与本站自身的气体污染物和其他邻近站点一致，"
              "{partner}更可能是复制方（以该站的事件排序）。",
    },
    "integrity_copy_own": {
        "en": "{pol} repeated its own values of {lag_h} h earlier in {n_equal} hours ({start} to "
              "{end}); score {score:.1f}.",
        "zh": "{start}至{end}，{pol}有{n_equal}小时与本站{lag_h}小时前的数值完全相同；得分{score:.1f}。",
    },
    "integrity_lag": {"en": ", {lag_h:+d} h lag", "zh": "，滞后{lag_h:+d}小时"},
    "integrity_km": {"en": "{km:.0f} km away", "zh": "相距{km:.0f}公里"},
    "integrity_ratio": {
        "en": "{pol} parted from the other PM fraction over {n_hours} h ({start} to {end}): "
              "PM2.5/PM10 {ratio:.2f} against {ratio_usual:.2f} usually; score {score:.1f}.",
        "zh": "{start}至{end}共{n_hours}小时，{pol}与另一粒径颗粒物走势背离：PM2.5/PM10为{ratio:.2f}，"
              "平时为{ratio_usual:.2f}；得分{score:.1f}。",
    },
    "integrity_violation": {
        "en": "PM2.5 exceeded PM10 in {n_equal} consecutive hours ({start} to {end}), which a "
              "working pair of analysers cannot show; score {score:.1f}.",
        "zh": "{start}至{end}，PM2.5连续{n_equal}小时高于PM10，正常工作的仪器不会出现；得分{score:.1f}。",
    },
    "integrity_spike": {
        "en": "{pol} departed sharply from its neighbours for {n_hours} h ({start} to {end}): "
              "{observed:.0f} against {expected:.0f} µg/m³; a fault or a local, short-lived source; "
              "score {score:.1f}.",
        "zh": "{start}至{end}共{n_hours}小时，{pol}与邻近站点骤然背离：{observed:.0f}对{expected:.0f} "
              "µg/m³；可能是仪器故障或局地短时排放；得分{score:.1f}。",
    },
    "integrity_excess": {
        "en": "{pol} stayed above its neighbours for {n_hours} h ({start} to {end}): {observed:.0f} "
              "against {expected:.0f} µg/m³ ({change:+.0%}); a local source or a fault; score "
              "{score:.1f}.",
        "zh": "{start}至{end}共{n_hours}小时，{pol}持续高于邻近站点：{observed:.0f}对{expected:.0f} "
              "µg/m³（{change:+.0%}）；可能是局地排放源或仪器故障；得分{score:.1f}。",
    },
    "integrity_floor": {
        "en": " Values near the analyser floor: also what a broken analyser shows.",
        "zh": "数值接近仪器下限，也可能是仪器故障。",
    },
    "integrity_pol_both": {"en": "PM2.5 (and PM10 likewise)", "zh": "PM2.5（PM10同样）"},
    "integrity_kind_suppression": {"en": "suppression", "zh": "压低"},
    "integrity_kind_capping": {"en": "capping", "zh": "封顶"},
    "integrity_kind_drift": {"en": "drift", "zh": "漂移"},
    "integrity_kind_flatline": {"en": "flatline", "zh": "恒值"},
    "integrity_kind_copy": {"en": "copy", "zh": "复制"},
    "integrity_kind_ratio": {"en": "ratio", "zh": "比值异常"},
    "integrity_kind_spike": {"en": "spike", "zh": "尖峰"},
    "integrity_kind_excess": {"en": "excess", "zh": "偏高"},
    "integrity_check_station": {"en": "check the station", "zh": "核查站点"},
    # integrity rows in the priority list (translated by geoair.priority's export)
    "priority.group.station_check": {"en": "station to check", "zh": "待核查站点"},
    "priority.unit.station_check": {"en": "integrity score (robust z units)", "zh": "数据异常得分（稳健z值）"},
    "kind.station_check": {"en": "monitoring station", "zh": "监测站点"},
    "category.integrity": {"en": "data integrity", "zh": "数据质量"},
    "integrity_priority_evidence": {
        "en": "{n} integrity event(s), strongest {kind} (score {score:.1f}): {evidence}",
        "zh": "{n}个数据异常事件，最强为{kind}（得分{score:.1f}）：{evidence}",
    },
    "integrity_observed": {"en": "observed", "zh": "观测值"},
    "integrity_expected": {"en": "expected from neighbours", "zh": "邻近站点推算值"},
    "integrity_band": {"en": "expected band (±2 robust scales)", "zh": "推算区间（±2倍稳健尺度）"},
    "integrity_event": {"en": "integrity event", "zh": "数据异常事件"},
    "integrity_title": {"en": "{station} {name}: {pol} against its expected band",
                        "zh": "{station} {name}：{pol}与推算区间"},
    "integrity_ylabel": {"en": "{pol} (µg/m³)", "zh": "{pol}（µg/m³）"},
    "integrity_time": {"en": "time (Beijing)", "zh": "时间（北京时间）"},
    # --- deweather --------------------------------------------------------------------
    "dw_observed": {"en": "Observed", "zh": "观测值"},
    "dw_normalised": {"en": "Weather-normalised", "zh": "气象归一化值"},
    "dw_interval": {"en": "{level:g}% interval", "zh": "{level:g}%置信区间"},
    "dw_series_title": {"en": "{pollutant} at {station}: observed and weather-normalised",
                        "zh": "{station} {pollutant}：观测值与气象归一化值"},
    "dw_concentration": {"en": "{pollutant} ({unit})", "zh": "{pollutant}（{unit}）"},
    "dw_partial_title": {"en": "Partial dependence of {pollutant} on the weather",
                         "zh": "{pollutant}对气象要素的偏依赖"},
    "dw_partial_ylabel": {"en": "Predicted {pollutant} ({unit})",
                          "zh": "{pollutant}预测值（{unit}）"},
    "dw_var_ws": {"en": "Wind speed (m/s)", "zh": "风速（m/s）"},
    "dw_var_wd": {"en": "Wind direction (°, from)", "zh": "风向（°，来向）"},
    "dw_var_temp": {"en": "Temperature (°C)", "zh": "气温（°C）"},
    "dw_var_rh": {"en": "Relative humidity (%)", "zh": "相对湿度（%）"},
    "dw_var_dewp": {"en": "Dew point (°C)", "zh": "露点温度（°C）"},
    "dw_var_pres": {"en": "Pressure (hPa)", "zh": "气压（hPa）"},
    "dw_var_rain": {"en": "Rain (mm/h)", "zh": "降水（mm/h）"},
    "dw_var_blh": {"en": "Boundary-layer height (m)", "zh": "边界层高度（m）"},
    "dw_var_hour": {"en": "Hour of day", "zh": "小时"},
    "dw_var_weekday": {"en": "Day of week (0 = Monday)", "zh": "星期（0 = 周一）"},
    "dw_var_day_julian": {"en": "Day of year", "zh": "年积日"},
    "dw_observed_change": {"en": "Observed change", "zh": "观测变化"},
    "dw_emission_change": {"en": "Emission-driven (weather-normalised)",
                           "zh": "排放驱动（气象归一化）"},
    "dw_met_change": {"en": "Weather-driven", "zh": "气象驱动"},
    "dw_change_pct": {"en": "Change from {before} to {after} (%)",
                      "zh": "{before}至{after}变化率（%）"},
    "dw_decomp_title": {"en": "Observed change split into emissions and weather",
                        "zh": "浓度变化的排放与气象贡献分解"},
    "dw_all_stations": {"en": "all stations", "zh": "全部站点"},
    "dw_rank_weather": {"en": "rank (weather-adjusted)", "zh": "排名（气象调整后）"},
    "dw_rank_change_weather": {"en": "rank change from weather adjustment",
                               "zh": "气象调整后排名变化"},
    "dw_value_weather": {"en": "{name}, weather-adjusted", "zh": "{name}（气象调整后）"},
    # --- surface ----------------------------------------------------------------------
    "surface.observed": {"en": "monitored", "zh": "有站点实测"},
    "surface.estimated": {"en": "estimated (no station)", "zh": "估算（无站点）"},
    "surface.basis": {"en": "basis", "zh": "数据来源"},
    "surface.lower": {"en": "lower 90 %", "zh": "90%区间下限"},
    "surface.upper": {"en": "upper 90 %", "zh": "90%区间上限"},
    "surface.estimate": {"en": "estimate", "zh": "估算值"},
    "surface.interval": {"en": "90 % interval", "zh": "90%区间"},
    "surface.unit": {"en": "{pollutant} (µg/m³)", "zh": "{pollutant}（µg/m³）"},
    "surface.map_title": {"en": "{pollutant} by county, {date}", "zh": "{date} 各区县{pollutant}"},
    "surface.grid_title": {"en": "{pollutant} surface, {date}", "zh": "{date} {pollutant}浓度面"},
    "surface.loo_observed": {"en": "observed (µg/m³)", "zh": "实测值（µg/m³）"},
    "surface.loo_estimated": {"en": "leave-one-out estimate (µg/m³)", "zh": "留一交叉验证估算值（µg/m³）"},
    "surface.loo_title": {"en": "Leave-one-station-out: {method}", "zh": "留一站点交叉验证：{method}"},
    "surface.tooltip": {"en": "{name}: {value:.0f} µg/m³ (90 %: {lower:.0f}-{upper:.0f}), {basis}",
                        "zh": "{name}：{value:.0f} µg/m³（90%区间 {lower:.0f}-{upper:.0f}），{basis}"},
    "surface.nan": {"en": "no estimate", "zh": "无估算"},
    "surface.period": {"en": "whole period", "zh": "全时段"},
    # --- dispatch ---------------------------------------------------------------------
    "dispatch.col.task_id": {"en": "Task ID", "zh": "任务编号"},
    "dispatch.col.grid_id": {"en": "Grid ID", "zh": "网格编号"},
    "dispatch.col.grid_name": {"en": "Grid", "zh": "网格名称"},
    "dispatch.col.grid_rank": {"en": "No. in grid", "zh": "网格内序号"},
    "dispatch.col.assigned_by": {"en": "Assigned by", "zh": "分配方式"},
    "dispatch.col.person": {"en": "Responsible", "zh": "责任人"},
    "dispatch.col.phone": {"en": "Phone", "zh": "联系电话"},
    "dispatch.col.row_kind": {"en": "Task type", "zh": "任务类型"},
    "dispatch.col.window_hours": {"en": "Suggested hours", "zh": "建议检查时段"},
    "dispatch.col.window_days": {"en": "Suggested days", "zh": "建议检查日"},
    "dispatch.col.hours_share": {"en": "Share in those hours", "zh": "该时段贡献占比"},
    "dispatch.col.window_share": {"en": "Share in the window", "zh": "建议时段贡献占比"},
    "dispatch.col.peak_hour": {"en": "Peak hour", "zh": "峰值时刻"},
    "dispatch.col.overpass": {"en": "Satellite overpasses", "zh": "卫星过境时间"},
    "dispatch.col.window_basis": {"en": "Window from", "zh": "时段依据"},
    "dispatch.col.map_link": {"en": "Map link", "zh": "地图链接"},
    "dispatch.col.checklist": {"en": "What to check", "zh": "检查要点"},
    "dispatch.col.visited": {"en": "Visit date", "zh": "检查日期"},
    "dispatch.col.finding": {"en": "Finding", "zh": "检查结果"},
    "dispatch.col.action": {"en": "Action taken", "zh": "处理措施"},
    "dispatch.col.note": {"en": "Notes", "zh": "情况说明"},
    "dispatch.col.inspector": {"en": "Inspector", "zh": "检查人"},
    "dispatch.col.n_tasks": {"en": "Tasks", "zh": "任务数"},
    "dispatch.col.n_red": {"en": "Red", "zh": "红色"},
    "dispatch.col.n_yellow": {"en": "Yellow", "zh": "黄色"},
    "dispatch.col.n_green": {"en": "Green", "zh": "绿色"},
    "dispatch.col.n_source": {"en": "Sources", "zh": "污染源"},
    "dispatch.col.n_fire_cluster": {"en": "Fire clusters", "zh": "火点聚类"},
    "dispatch.col.n_station_check": {"en": "Station checks", "zh": "站点核查"},
    "dispatch.col.checklist_key": {"en": "Checklist", "zh": "检查类别"},
    "dispatch.col.item": {"en": "No.", "zh": "序号"},
    "dispatch.col.text": {"en": "Check", "zh": "检查内容"},
    "dispatch.col.basis": {"en": "Basis", "zh": "依据"},
    "dispatch.kind.source": {"en": "source", "zh": "污染源"},
    "dispatch.kind.fire_cluster": {"en": "fire cluster", "zh": "火点聚类"},
    "dispatch.kind.station_check": {"en": "station check", "zh": "站点核查"},
    "dispatch.assigned.within": {"en": "inside the grid", "zh": "网格内"},
    "dispatch.assigned.overlap": {"en": "overlapping grids (smallest)", "zh": "网格重叠（取最小）"},
    "dispatch.assigned.nearest": {"en": "nearest grid", "zh": "就近网格"},
    "dispatch.assigned.unassigned": {"en": "unassigned", "zh": "未分配"},
    "dispatch.dow.weekdays": {"en": "weekdays", "zh": "工作日"},
    "dispatch.dow.weekend": {"en": "weekend", "zh": "周末"},
    "dispatch.dow.all": {"en": "every day", "zh": "每天"},
    "dispatch.dow.asap": {"en": "as soon as possible", "zh": "尽快"},
    "dispatch.dow.any": {"en": "any time", "zh": "随时"},
    "dispatch.basis.plume_share": {"en": "category's hourly contribution x plume share", "zh": "类别逐时贡献×扩散分配"},
    "dispatch.basis.plume_share_no_wind": {"en": "category's hourly contribution x share (no wind)",
                                           "zh": "类别逐时贡献×分配（无风场）"},
    "dispatch.basis.category_profile": {"en": "category's hourly contribution x activity profile",
                                        "zh": "类别逐时贡献×活动规律"},
    "dispatch.basis.given": {"en": "given hourly contributions", "zh": "给定逐时贡献"},
    "dispatch.basis.fire_observed": {"en": "detection times; afternoon burning peak", "zh": "火点观测时间；午后焚烧高峰"},
    "dispatch.basis.fire_nominal": {"en": "nominal overpasses; afternoon burning peak", "zh": "标称过境时间；午后焚烧高峰"},
    "dispatch.basis.station": {"en": "station check: any time (see evidence)", "zh": "站点核查：随时（见证据）"},
    "dispatch.basis.none": {"en": "no hourly contributions", "zh": "无逐时贡献"},
    "dispatch.finding.violation": {"en": "violation", "zh": "违法"},
    "dispatch.finding.compliant": {"en": "compliant", "zh": "合规"},
    "dispatch.finding.not_found": {"en": "not found", "zh": "未找到"},
    "dispatch.finding.closed": {"en": "closed site", "zh": "已关停"},
    "dispatch.sheet.tasks": {"en": "Tasks", "zh": "任务单"},
    "dispatch.sheet.checklist": {"en": "What to check", "zh": "检查要点"},
    "dispatch.sheet.outcome": {"en": "Outcome", "zh": "检查结果"},
    "dispatch.sheet.summary": {"en": "County summary", "zh": "县级汇总"},
    "dispatch.sheet.unassigned": {"en": "Unassigned", "zh": "未分配"},
    "dispatch.sheet.howto": {"en": "How to fill in", "zh": "填写说明"},
    "dispatch.total": {"en": "Total", "zh": "合计"},
    "dispatch.unassigned": {"en": "(unassigned)", "zh": "（未分配）"},
    "dispatch.howto.finding": {
        "en": "Finding: one of {options}. Leave it blank if the task was not visited.",
        "zh": "检查结果：填写 {options} 之一；未检查的任务留空。"},
    "dispatch.howto.visited": {"en": "Visit date: YYYY-MM-DD (required when a finding is given).",
                               "zh": "检查日期：格式 YYYY-MM-DD（填写检查结果时必填）。"},
    "dispatch.howto.ids": {"en": "Do not change the task ID and source ID columns: they link the outcome to the list.",
                           "zh": "请勿修改任务编号和污染源编号列：它们把检查结果与清单对应。"},
    "dispatch.howto.closed": {"en": "Closed site: the site has stopped operating for good (it leaves the next list).",
                              "zh": "已关停：该场所已长期停止生产或施工（下一轮清单将不再列出）。"},
    "dispatch.howto.not_found": {"en": "Not found: nothing at the given place (the location will be checked).",
                                 "zh": "未找到：所给位置没有该对象（将核实点位）。"},
    "dispatch.howto.window": {
        "en": "Suggested hours and days: when the source's estimated contribution at the station is highest "
              "(local time); 'share' is the part of its contribution in that window. Estimates, not measurements.",
        "zh": "建议检查时段与检查日：该源对站点的估算贡献最高的时段（北京时间）；“占比”为该时段内贡献占其总贡献的比例。为估算值，非监测值。"},
    "dispatch.perf.col.by": {"en": "Grouped by", "zh": "分组方式"},
    "dispatch.perf.col.group": {"en": "Group", "zh": "分组"},
    "dispatch.perf.col.n_tasks": {"en": "Tasks", "zh": "任务数"},
    "dispatch.perf.col.n_visited": {"en": "Visited", "zh": "已检查"},
    "dispatch.perf.col.n_decided": {"en": "Decided", "zh": "有结论"},
    "dispatch.perf.col.n_violation": {"en": "Violations", "zh": "违法数"},
    "dispatch.perf.col.n_compliant": {"en": "Compliant", "zh": "合规数"},
    "dispatch.perf.col.n_not_found": {"en": "Not found", "zh": "未找到"},
    "dispatch.perf.col.n_closed": {"en": "Closed", "zh": "已关停"},
    "dispatch.perf.col.hit_rate": {"en": "Hit rate", "zh": "命中率"},
    "dispatch.perf.col.lower": {"en": "95 % lower", "zh": "95%下限"},
    "dispatch.perf.col.upper": {"en": "95 % upper", "zh": "95%上限"},
    "dispatch.perf.by.all": {"en": "all", "zh": "全部"},
    "dispatch.perf.by.level": {"en": "level", "zh": "等级"},
    "dispatch.perf.by.category": {"en": "category", "zh": "类别"},
    "dispatch.perf.by.decile": {"en": "score decile", "zh": "得分十分位"},
    "dispatch.perf.by.row_kind": {"en": "task type", "zh": "任务类型"},
    "briefing.section.feedback": {"en": "Last round's results", "zh": "上一轮检查结果"},
    "briefing.feedback.text": {
        "en": "{n_tasks} tasks of the last list, {n_visited} visited: {n_violation} violations, {n_compliant} "
              "compliant, {n_not_found} not found, {n_closed} closed sites. Hit rate (violations among visits with "
              "a finding of violation or compliant): {rate} ({method} 95 % interval {lo}-{hi}). Rows: the hit rate "
              "by level, category and score decile (1 = lowest scores); a list that ranks well has higher rates "
              "for red than for yellow and for higher deciles.",
        "zh": "上一轮清单共 {n_tasks} 项任务，已检查 {n_visited} 项：违法 {n_violation} 项，合规 {n_compliant} 项，未找到 "
              "{n_not_found} 项，已关停 {n_closed} 项。命中率（在结论为违法或合规的检查中违法所占比例）：{rate}（{method} 95%区间 "
              "{lo}-{hi}）。下表按等级、类别和得分十分位（1为得分最低）列出命中率；排序有效的清单，红色高于黄色，高分位高于低分位。"},
    "briefing.feedback.none": {"en": "no visits with a finding", "zh": "无有结论的检查"},
    "kind.boiler": {"en": "boiler", "zh": "锅炉"},
    "kind.construction_site": {"en": "construction site", "zh": "建筑工地"},
    "kind.road": {"en": "road", "zh": "道路"},
    "kind.restaurant": {"en": "restaurant", "zh": "餐饮"},
    "kind.residential_coal": {"en": "residential coal", "zh": "居民散煤"},
    "dispatch.checklist.construction": {"en": "construction site", "zh": "建筑工地"},
    "dispatch.checklist.boiler": {"en": "boiler", "zh": "锅炉"},
    "dispatch.checklist.industry": {"en": "industrial plant", "zh": "工业企业"},
    "dispatch.checklist.residential_coal": {"en": "residential coal", "zh": "居民散煤"},
    "dispatch.checklist.fire": {"en": "open burning", "zh": "露天焚烧"},
    "dispatch.checklist.station": {"en": "monitoring station", "zh": "监测站点"},
    "dispatch.checklist.road": {"en": "road", "zh": "道路"},
    "dispatch.checklist.cooking": {"en": "restaurant", "zh": "餐饮"},
    "dispatch.checklist.fireworks": {"en": "fireworks", "zh": "烟花爆竹"},
    "dispatch.checklist.other": {"en": "other", "zh": "其他"},
    # --- scaling ----------------------------------------------------------------------
}


# emerging hot spot patterns as display classes: "class.new hot spot", ... (codes are the English names)
for _cat in ("new", "consecutive", "intensifying", "persistent", "diminishing", "sporadic", "oscillating",
             "historical"):
    for _kind in ("hot", "cold"):
        LABELS[f"class.{_cat} {_kind} spot"] = {
            _lang: LABELS[f"ehsa.{_cat}"][_lang].format(kind=LABELS[f"ehsa.kind.{_kind}"][_lang])
            for _lang in ("en", "zh")
        }
LABELS["class.no pattern detected"] = dict(LABELS["ehsa.none"])


def resolve_lang(lang: str | None = None) -> str:
    """The language to use: ``lang`` when given, else the geoair option ``lang``."""
    if lang is None:
        from .options import get_options

        return get_options()["lang"]
    if lang not in ("en", "zh"):
        from ._validation import GeoairInputError

        raise GeoairInputError(f"Unknown language {lang!r}.", received=lang, fix="Use 'en' or 'zh'.")
    return lang


def t(key: str, lang: str | None = None, **fmt) -> str:
    """The label ``key`` in ``lang`` (default: the geoair option), formatted with ``fmt``.

    An unknown key raises ``KeyError`` so that a missing translation fails the tests
    instead of showing a key to an official.
    """
    text = LABELS[key][resolve_lang(lang)]
    return text.format(**fmt) if fmt else text


def has(key: str) -> bool:
    """Whether ``key`` has a label."""
    return key in LABELS


def labels_for(prefix: str, lang: str | None = None) -> dict[str, str]:
    """All labels whose key starts with ``prefix + "."``, keyed by the rest of the key.

    ``labels_for("category", "zh")["coal"] == "燃煤"``.
    """
    lang = resolve_lang(lang)
    cut = len(prefix) + 1
    return {k[cut:]: v[lang] for k, v in LABELS.items() if k.startswith(prefix + ".")}
