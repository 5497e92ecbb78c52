"""Source of tests/heldout/gold.json (written by hand from the texts and GUIDELINES.md)."""
import json, pathlib
D = pathlib.Path(__file__).parent

def R(t, o=None, alt=None):
    r = {"title": t, "organization": o}
    if alt: r["alt"] = [{"title": a[0], "organization": a[1]} for a in alt]
    return r
def P(n, roles=(), aliases=(), opt=False):
    return {"name": n, "aliases": list(aliases), "optional": opt, "roles": list(roles)}
def M(n, date=None, loc=None, org=(), aliases=(), opt=False):
    return {"name": n, "aliases": list(aliases), "optional": opt, "date": date, "location": loc, "organizers": list(org)}
def A(t, parties, date=None, term=None, aliases=(), opt=False):
    a = {"title": t, "aliases": list(aliases), "optional": opt, "parties": list(parties), "date": date}
    if term: a["term"] = term
    return a
def S(v, u, t, ap=None, opt=False):
    return {"value": v, "unit": u, "text": t, "approx": ap, "optional": opt}
REP = lambda n, org="本报": P(n, [R("记者", org, alt=[("记者", None)])])

docs = {}
ZJ = "浙江省社会工作者协会"
docs["h01_zj_huanjie.txt"] = dict(
 people=[REP("赵晨阳"), P("许可", [R("通讯员")]),
  P("沈国良", [R("党组成员", "浙江省民政厅"), R("副厅长", "浙江省民政厅")]),
  P("陆文斌", [R("会长", "浙江省社会组织总会"), R("原副秘书长", "省政协")]),
  P("方一鸣", [R("局长", "杭州市民政局")]),
  P("钱晓红", [R("主任", "浙江工业大学社会工作系"), R("教授", "浙江工业大学社会工作系")]),
  P("郑雅琴", [R("副会长兼秘书长", ZJ + "第二届理事会")]),
  P("周明华", [R("会长", ZJ, alt=[("会长", None)])]),
  P("何建平", [R("副会长", ZJ, alt=[("副会长", None)])]),
  P("吴佩佩", [R("副会长", ZJ, alt=[("副会长", None)])]),
  P("章立新", [R("副会长", ZJ, alt=[("副会长", None)])]),
  P("林晓燕", [R("秘书长", ZJ, alt=[("秘书长", None)])]),
  P("金海涛", [R("会长", ZJ, alt=[("会长", "第二届理事会")])]),
  P("黄志强", [R("副会长", "宁波市社会工作协会"), R("监事长", ZJ, alt=[("监事长", None)])]),
  P("潘丽君", [])],
 meetings=[M(ZJ + "第三届会员代表大会暨换届大会", "2023-11-05", "杭州", [ZJ, "杭州市社会工作协会"], [ZJ + "第三届会员代表大会"]),
  M("第三届理事会第一次会议"), M("第三届监事会第一次会议", "2023-11-05"),
  M("第四届之江社工论坛", "2022-09", "宁波"),
  M("第五届之江社工论坛", opt=True)],
 agreements=[A("社会工作人才联合培养合作协议", [ZJ, "浙江工业大学"], "2023-11-05")],
 statistics=[S(11, "个", "11个"), S(280, "人", "280余人", "more_than"), S(57, "名", "57名"), S(3, "名", "3名"),
  S(5, "年", "五年"), S(186, "家", "186家"), S(412, "家", "412家"), S(32000, "名", "3.2万名"),
  S(1, "倍", "一倍多", "more_than", True), S(127, "期", "127期"), S(14000, "人次", "一万四千余人次", "more_than"),
  S(28600000, "元", "2860万元"), S(26, "县", "26县", opt=True), S(9000000, "元", "约900万元", "about"),
  S(68.5, "%", "68.5%"), S(4, "届", "四届"), S(500, "名", "近500名", "about"), S(36, "家", "36家"),
  S(3, "件", "三件", opt=True), S(100, "家", "100家以上", "more_than"), S(5000000, "元", "500万元"),
  S(463, "家", "463家"), S(135000000, "元", "1.35亿元"), S(80000, "人", "近8万人", "about"),
  S(1200, "名", "一千二百余名", "more_than"), S(6, "成", "约六成", "about", True), S(60, "%", "约六成", "about", True),
  S(50, "名", "50名"), S(20, "家", "20家"), S(12, "年", "十二年", opt=True)])

YX = "江苏银杏公益基金会"
docs["h02_js_foundation_report.txt"] = dict(
 people=[REP("孙悦"), P("顾卫东", [R("二级巡视员", "江苏省民政厅")]),
  P("马丽萍", [R("副会长", "南京市慈善总会"), R("秘书长", "南京市慈善总会")]),
  P("钟永福", [R("创始人", YX), R("名誉理事长", YX)]),
  P("庞建英", [R("理事长", YX)]), P("唐一帆", [R("秘书长", YX)]),
  P("彭慧敏", [R("教授", "南京大学社会学院"), R("博士生导师", "南京大学社会学院")]),
  P("季晓东", [R("副秘书长", "江苏省社会工作者协会")]),
  P("褚文静", [R("主任", "苏州工业园区邻里社会工作服务中心")]),
  P("欧阳晓峰", [R("项目总监", YX)]), P("王梓涵", []), P("宋庆龄", [], opt=True)],
 meetings=[M(YX + "2023年度工作总结暨社会责任报告发布会", "--01-16", "南京", [], ["发布会"]),
  M("“慈善+社工”圆桌对话", "--01-16", opt=True), M("第四届理事会第五次会议", "--01-16"),
  M("第二届长三角公益慈善项目交流会", opt=True)],
 agreements=[A("“乡村儿童之家”公益项目合作协议", [YX, "中国宋庆龄基金会儿童发展中心"], "--01-16", "2024-2026"),
  A("共建“公益慈善与社会工作研究中心”", [YX, "南京大学社会学院"], "--01-16", opt=True)],
 statistics=[S(126000000, "元", "1.26亿元"), S(18.7, "%", "18.7%"), S(98000000, "元", "逾9800万元", "more_than"),
  S(62, "%", "62%", "about"), S(5, "%", "5%"), S(143, "个", "143个"), S(13, "个", "13个"), S(100, "个", "近百个", "about"),
  S(274000, "人次", "27.4万人次"), S(3000, "名", "三千余名", "more_than"), S(1862, "名", "1862名"), S(5, "个", "5个"),
  S(200, "名", "200余名", "more_than"), S(4600, "位", "4600多位", "more_than"), S(1, "次", "一次", opt=True),
  S(41, "家", "41家"), S(100000, "元", "10万元"), S(300000, "元", "30万元"), S(10, "年", "十年"),
  S(700000000, "元", "超过7亿元", "more_than"), S(3, "次", "三次"), S(6, "年", "6年"), S(8200, "户", "8200户"),
  S(20000000, "元", "2000万元"), S(60, "个", "60个"), S(2, "省", "两省", opt=True),
  S(2300, "家", "2300余家", "more_than"), S(86000, "人", "8.6万人"), S(25, "%", "四分之一左右", "about", True),
  S(3, "成", "三成", opt=True), S(3, "年", "三年", opt=True), S(100, "名", "100名"), S(4, "地", "四地", opt=True),
  S(150000000, "元", "1.5亿元"), S(24, "小时", "24小时", opt=True)])

MZ = "成都市民政局"
docs["h03_cd_zuotanhui.txt"] = dict(
 people=[P("罗建军", [R("党组书记", MZ), R("局长", MZ)]), P("韩晓雯", [R("副局长", MZ)]),
  P("邓光辉", [R("副部长", "市委社会工作部")]),
  P("陶婷婷", [R("理事长", "成都市锦江区益众社会工作服务中心")]),
  P("蒲建国", [R("站长", "郫都区乡村社会工作服务站")]),
  P("岳晴", [R("副教授", "四川大学社会发展与西部开发研究院"), R("委员", "成都市社会工作专家委员会")]),
  P("阿依古丽·买买提", [R("副主任", "新都区心连心社会工作服务中心")]),
  P("江明远", [R("会长", "成都市社会工作协会"), R("院长", "西南财经大学社会工作发展研究院")]),
  P("吕敏", [R("副镇长", "温江区和盛镇")]), P("谢振华", [R("副局长", "青羊区民政局")]),
  P("刘志成", [R("副市长")]), P("杨帆", [])],
 meetings=[M("全市社会工作服务机构负责人座谈会", None, "市社会组织服务中心三楼会议室", [MZ], ["社会工作服务机构负责人座谈会", "座谈会"]),
  M("全市乡镇(街道)社工站建设现场推进会", "--10-12", "青白江区", ["市民政局"], ["推进会"])],
 agreements=[],
 statistics=[S(12, "家", "12家"), S(8, "年", "8年"), S(46, "人", "46人"), S(3800000, "元", "约380万元", "about"),
  S(23, "%", "23%"), S(12, "个", "12个"), S(58, "名", "58名"), S(2, "年", "两年"),
  S(16000, "次", "1.6万余次", "more_than"), S(3400, "份", "3400余份", "more_than"), S(3, "个", "3个"),
  S(600, "户", "600多户", "more_than"), S(327, "家", "327家"), S(21, "期", "21期"), S(450000, "元", "45万元"),
  S(568, "家", "568家"), S(23700, "人", "2.37万人"), S(261, "个", "261个"), S(100, "%", "100%"),
  S(180000000, "元", "1.8亿元"), S(12, "%", "12%"), S(3, "个", "三个", opt=True), S(3, "年", "三年", opt=True),
  S(15, "%", "15%以上", "more_than"), S(200, "名", "200名左右", "about"), S(1, "个", "一个", opt=True),
  S(9, "场", "9场"), S(120, "条", "120余条", "more_than"), S(2000, "平方米", "约2000平方米", "about"),
  S(58, "期", "58期"), S(6000, "人次", "逾6000人次", "more_than")])

GD = "广东省社会工作师联合会"; SC = "华南理工大学"
docs["h04_gd_qianyue.txt"] = dict(
 people=[REP("梁嘉欣"), P("冯志刚", [R("一级巡视员", "广东省民政厅")]),
  P("李晓红", [R("党委副书记", SC), R("副校长", SC)]), P("温佩仪", [R("会长", GD)]),
  P("迈克尔·霍夫曼", [R("院长", "德国科隆应用科学大学社会工作学院")]),
  P("陈慧珊", [R("业务总监", "香港社会服务联会")]),
  P("黎国栋", [R("局长", "越秀区民政局")]), P("骆伟东", [R("院长", "公共管理学院")]),
  P("邹凯", [R("副院长", SC + "公共管理学院"), R("组长")]),
  P("区淑贞", [R("秘书长", GD), R("组长")]),
  P("彭晓丹", [R("总干事", "深圳市龙岗区春暖社会工作服务中心")]),
  P("何锦华", [R("督导主任", "佛山市顺德区德胜社区服务中心")]),
  P("唐秋菊", [R("教授", "公共管理学院"), R("主任", "社会工作系")]),
  P("华宣", [R("通讯员")], opt=True), P("粤社联", [R("通讯员")], opt=True)],
 meetings=[M(GD + "与" + SC + "社会工作战略合作签约仪式", "--12", "华南理工大学五山校区", [], ["签约仪式"]),
  M("第一次合作工作会议", "--12", None, [GD, SC]), M("校地合作交流会", "--12", opt=True),
  M("第八届广东社会工作本色与本土论坛", "--11", "东莞")],
 agreements=[A("社会工作人才培养与研究战略合作协议(2024—2026年)", [GD, SC], "--12", "2024-2026"),
  A("共建社区治理实践基地协议", [SC + "公共管理学院", "广州市越秀区民政局"], "--12", opt=True),
  A("合作备忘录", [GD, "中山大学"], "2019", opt=True)],
 statistics=[S(3, "年", "三年", opt=True), S(10, "个", "10个"), S(300, "人次", "不少于300人次", "at_least"),
  S(1500000, "元", "不少于150万元", "at_least"), S(1612, "个", "1612个"), S(26000, "名", "超过2.6万名", "more_than"),
  S(14000000, "人次", "逾1400万人次", "more_than"), S(23, "人", "23人"), S(410, "名", "410名"),
  S(18000, "名", "1.8万名"), S(600, "家", "近600家", "about"), S(46, "场次", "46场次"),
  S(1200, "名", "约1200名", "about"), S(300000, "名", "约有30万名", "about"), S(70, "%", "约70%", "about"),
  S(500, "个", "500多个", "more_than"), S(8, "个", "8个"), S(2, "个", "2个"), S(20, "家", "20余家", "more_than"),
  S(12, "门", "12门"), S(30, "名", "30名"), S(5, "年", "五年"), S(200, "名", "近200名", "about"),
  S(1, "次", "一次", opt=True)])

docs["h05_gba_luntan.txt"] = dict(
 people=[REP("何子健"), P("谭志坚", [R("局长", "珠海市民政局")]), P("林少春", [R("副厅长", "广东省民政厅")]),
  P("梁文杰", [R("助理署长", "香港特别行政区政府社会福利署")]),
  P("高嘉仪", [R("副局长", "澳门特别行政区政府社会工作局")]),
  P("冼伟明", [R("委员", "横琴粤澳深度合作区执行委员会"), R("局长", "民生事务局", alt=[("局长", "横琴粤澳深度合作区民生事务局")])]),
  P("吴颖", [R("副市长", "珠海市人民政府")]), P("罗观翠", [R("教授", "中山大学社会学与人类学学院")]),
  P("伍美琴", [R("主任", "香港理工大学应用社会科学系"), R("讲座教授", "香港理工大学应用社会科学系")]),
  P("艾莉森·陈", [R("副教授", "新加坡国立大学社会工作系")]), P("苏嘉豪", [R("副理事长", "澳门街坊会联合总会")]),
  P("廖淑敏", [R("总干事", "广州市海珠区启创社会工作服务中心")]), P("区嘉俊", [R("高级经理", "香港圣雅各福群会")]),
  P("丁嘉慧", [R("副会长兼秘书长", "深圳市社会工作者协会")]), P("何文轩", [R("主任", "澳门青年联合会社工部")]),
  P("袁立群", [R("轮值主席", "大湾区社会工作督导联盟", alt=[("轮值主席", "联盟")]), R("会长", "东莞市社会工作协会")])],
 meetings=[M("第五届粤港澳大湾区社会工作发展论坛", "--11-18", "珠海国际会展中心",
   ["广东省民政厅", "香港社会服务联会", "澳门社会工作人员专业委员会", "珠海市民政局", "珠海市社会工作协会", "横琴粤澳深度合作区民生事务局"]),
  M("首届论坛", "2019", "深圳"),
  M("“跨境长者服务”分论坛", "--11-19", opt=True), M("“社区营造”分论坛", "--11-19", opt=True),
  M("“青少年发展”分论坛", "--11-19", opt=True), M("开幕式", "--11-18", opt=True), M("闭幕式", opt=True),
  M("主旨演讲环节", opt=True), M("大湾区社会工作督导联盟成立仪式", opt=True), M("第六届论坛", "2024", "澳门", opt=True),
  M("“珠澳社工交流营”", opt=True)],
 agreements=[],
 statistics=[S(600, "人", "600余人", "more_than"), S(9, "市", "9市", opt=True), S(90000, "人", "逾9万人", "more_than"),
  S(2100, "家", "2100多家", "more_than"), S(37, "个", "37个"), S(412, "人", "412人"),
  S(27000, "名", "约2.7万名", "about"), S(33.3, "%", "约三分之一", "about", True), S(10, "年", "十年以上", "more_than", True),
  S(2380, "名", "2380名"), S(3, "个", "三个"), S(40, "名", "40余名", "more_than"), S(90000, "人", "约9万人", "about"),
  S(8, "个", "8个"), S(1500, "场", "1500余场", "more_than"), S(35000, "人次", "超过3.5万人次", "more_than"),
  S(3000, "名", "约3000名", "about"), S(52, "家", "52家"), S(4, "次", "不少于4次", "at_least"),
  S(2680000000, "元", "约26.8亿元", "about"), S(31.5, "%", "31.5%"), S(5, "年", "五年", opt=True),
  S(100, "名", "100名"), S(1000, "名", "1000名"), S(10000, "名", "10000名"), S(126, "个", "126个"),
  S(4870, "人", "4870人"), S(19.7, "人", "19.7人"), S(2, "期", "两期"), S(80, "名", "80名"), S(3, "地", "三地", opt=True)])

BJ = "北京市社会工作者协会"
docs["h06_bj_yanglao_yantao.txt"] = dict(
 people=[REP("韩雪"), P("吴建新", [R("副局长", "北京市民政局"), R("一级巡视员", "北京市民政局")]),
  P("蔡振东", [R("会长", "北京市老龄协会")]), P("范丽萍", [R("副院长", "首都师范大学政法学院")]),
  P("孟繁荣", [R("会长", BJ)]),
  P("聂春燕", [R("主任委员", BJ + "养老服务专业委员会", alt=[("主任委员", "养老服务专业委员会")]), R("副会长", "北京市东城区老龄协会")]),
  P("殷晓璐", [R("站长", "西城区展览路街道社工站")]),
  P("坂本真理子", [R("教授", "北京城市学院公共管理学部"), R("客座研究员", "日本东京福祉大学")]),
  P("邬俊杰", [R("主任", "朝阳区恭和苑养老院社工部")]), P("胡志鹏", [R("科长", "海淀区民政局养老服务科")]),
  P("钟雨桐", [R("社工督导", "丰台区康宁养老服务中心")]), P("褚立新", [R("秘书长", BJ)])],
 meetings=[M("“积极应对人口老龄化 社会工作在行动”研讨会", "2023-12-02", "北京市西城区", [BJ + "养老服务专业委员会"], ["养老服务领域社会工作研讨会"]),
  M("四届三次理事会", "2023-03"), M("第三届首都养老服务社会工作论坛", opt=True)],
 agreements=[],
 statistics=[S(60, "岁", "60岁", opt=True), S(4651000, "人", "465.1万人"), S(21.3, "%", "21.3%"), S(1469, "个", "1469个"),
  S(1400, "个", "1400多个", "more_than"), S(38000000, "元", "3800万元"), S(217, "个", "217个"),
  S(126000, "人次", "12.6万人次"), S(73, "家", "73家"), S(2400, "名", "约2400名", "about"),
  S(1, "成", "一成左右", "about", True), S(10, "%", "一成左右", "about", True), S(6, "位", "6位"),
  S(2000, "份", "2000余份", "more_than"), S(4, "成", "近四成", "about", True), S(40, "%", "近四成", "about", True),
  S(55, "%", "超过55%", "more_than"), S(17, "家", "17家"), S(2, "家", "2家"), S(8600, "次", "8600余次", "more_than"),
  S(31, "起", "31起"), S(5400, "个", "约有5400个", "about"), S(1, "名", "一名", "at_least", True), S(2, "年", "两年"),
  S(2300, "名", "两千三百余名", "more_than"), S(47000, "小时", "约4.7万小时", "about"), S(6200000, "元", "620万元"),
  S(29, "个", "29个"), S(100, "张", "每百张", opt=True), S(48, "位", "48位"), S(3, "成", "约三成", "about", True),
  S(30, "%", "约三成", "about", True), S(500, "人次", "500人次以上", "more_than"), S(20, "家", "20家")])

CASW = "China Association of Social Workers"; ACSW = "Asian Council on Social Welfare"
docs["h07_en_summit_kunming.txt"] = dict(
 people=[P("Zhou Yiming", [R("reporter")]), P("Li Xiaoqin", [R("Vice President", CASW)]),
  P("Daniel Okafor", [R("Secretary-General", ACSW)]),
  P("Yang Guowei", [R("Director-General", "Yunnan Provincial Department of Civil Affairs")]),
  P("Margaret Lindqvist", [R("former President", "International Association of Schools of Social Work")]),
  P("Hiroshi Tanaka", [R("Director", "Japan Institute of Community Welfare")]),
  P("Chen Haiyang", [R("Deputy Secretary-General", "Yunnan Association of Social Work")], ["Chen Haiyan"])],
 meetings=[M("3rd Asia-Pacific Social Work Leadership Summit", "2023-11-05", "Kunming, Yunnan Province",
   [CASW, "Yunnan Provincial Department of Civil Affairs", "Yunnan Association of Social Work"]),
  M("first Asia-Pacific Social Work Leadership Summit", "2019", "Shanghai"),
  M("second Asia-Pacific Social Work Leadership Summit", "2021", opt=True),
  M("youth forum", "2023-11-05", opt=True), M("keynote session", opt=True), M("opening ceremony", opt=True),
  M("parallel sessions", opt=True), M("next summit", "2025", "Bangkok", opt=True)],
 agreements=[A("memorandum of understanding on regional capacity building", [CASW, ACSW], "2023-11-05", "2024-2026")],
 statistics=[S(1200, "social workers", "More than 1,200 social workers", "more_than"),
  S(20, "countries", "about 20 countries", "about"), S(2, "day", "two-day", opt=True),
  S(1600000, "licensed social workers", "more than 1.6 million licensed social workers", "more_than"),
  S(40000, "townships", "nearly 40,000 townships", "about"), S(14, "member organisations", "14 member organisations"),
  S(62, "%", "62%"), S(3, "years", "three years", opt=True), S(3, "countries", "three countries"),
  S(25, "border counties", "25 border counties"), S(168, "social work stations", "168 social work stations"),
  S(900, "social workers", "some 900 social workers", "about"), S(210000000, "yuan", "210 million yuan"),
  S(300, "social work supervisors", "300 social work supervisors"), S(6, "parallel sessions", "six parallel sessions"), S(2, "sides", "two sides", opt=True),
  S(80, "young social workers", "80 young social workers"), S(11, "countries", "11 countries")])

SR = "Sunrise Charity Foundation"
docs["h08_en_foundation_annual.txt"] = dict(
 people=[P("Wang Lihua", [R("Chairwoman", SR)]),
  P("Zhang Wenbo", [R("Secretary-General", SR, alt=[("Secretary-General", "foundation")]),
   R("former Deputy Director", "Social Work Department of Gansu Provincial Department of Civil Affairs")]),
  P("Robert Mills", [R("Secretary-General")]),
  P("Liu Hongmei", [R("Deputy Director-General", "Department of Charity Promotion and Social Work of the Ministry of Civil Affairs")]),
  P("Sarah Whitfield", [R("Country Director", "Children First International in China")]), P("Ma Jianguo", [])],
 meetings=[M("press conference", None, "Beijing"), M("fourth board meeting", "--03-12", None, [], ["board meeting"])],
 agreements=[A("cooperation agreement on child protection social work", [SR, "Children First International"])],
 statistics=[S(86400000, "yuan", "86.4 million yuan"), S(12, "%", "12 percent"), S(73200000, "yuan", "73.2 million yuan"),
  S(215, "social work organisations", "215 social work organisations"), S(9, "provinces", "9 provinces"),
  S(48000, "children", "more than 48,000 children", "more_than"), S(26000, "older people", "26,000 older people"),
  S(4.8, "%", "4.8%"), S(5600, "registered volunteers", "about 5,600 registered volunteers", "about"),
  S(95000000, "yuan", "95 million yuan"), S(6, "years", "six years", opt=True),
  S(9000, "charitable organisations", "more than 9,000 charitable organisations", "more_than"),
  S(150000000000, "yuan", "exceeded 150 billion yuan", "more_than"), S(3, "year", "three-year", opt=True),
  S(20000000, "yuan", "20 million yuan"), S(50, "child-friendly spaces", "50 child-friendly spaces"),
  S(1000, "rural social workers", "1,000 rural social workers"), S(11, "years", "11 years", opt=True),
  S(3, "times", "three times"), S(2, "organisations", "two organisations", opt=True)])

out = {"version": 1, "documents": {}}
for f, d in docs.items():
    out["documents"][f] = {k: d[k] for k in ("people", "meetings", "agreements", "statistics")}
(D / "gold.json").write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n")

# span check: every copied string must occur in its document
bad = 0
for f, d in out["documents"].items():
    text = (D / "docs" / f).read_text()
    def chk(s, what):
        global bad
        if s and s not in text:
            bad += 1; print("NOT IN TEXT", f, what, repr(s))
    for p in d["people"]:
        chk(p["name"], "person")
        for a in p["aliases"]: chk(a, "alias")
        for r in p["roles"]:
            for x in [r] + r.get("alt", []):
                chk(x["title"], "title"); chk(x["organization"], "org")
    for m in d["meetings"]:
        chk(m["name"], "meeting"); [chk(a, "malias") for a in m["aliases"]]; chk(m["location"], "loc")
        [chk(o, "organizer") for o in m["organizers"]]
    for a in d["agreements"]:
        chk(a["title"], "agreement"); [chk(p, "party") for p in a["parties"]]
    for s in d["statistics"]:
        chk(s["text"], "stat")
print("bad", bad)
