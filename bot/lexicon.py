"""Per-language phrase tables for escalation triggers: asking for a person, anger and urgency,
plus the word lists the spelling fix works from.

Patterns see text that is NFKC-normalised, case- and accent-folded and spelling-fixed; "zh" rules
see it after Traditional → Simplified folding, so one simplified pattern serves zh-TW and zh-CN.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

# (rule name, regex) pairs per language.
Table = Mapping[str, tuple[tuple[str, str], ...]]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --- lexicons: (rule name, regex) per language; "zh" rules see Simplified text -------------------
_EN_NOUN = (r"(?:humans?|agents?|operators?|representatives?|reps?|person|people|someone|somebody|"
            r"anyone|anybody|customer (?:service|support|care)(?: (?:agent|rep|representative|team))?|"
            r"support (?:agent|team|staff)|staff(?: member)?|employee|manager|supervisor|advis[oe]r)")
_EN_STRONG = (r"(?:humans?|agents?|operators?|representatives?|reps?|customer (?:service|support|care)|"
              r"manager|supervisor|(?:real|live|actual) (?:person|people|someone|somebody))")
_DET = r"(?:(?:a|an|the|your|some|one of your|any)\s+)?(?:(?:real|live|actual|human|living)\s+)?"
_TH_NOUN = (r"(?:เจ้าหน้าที่?+(?!ส่ง|คุ้มครอง)|จนท|พนักงาน(?!ส่ง|ขับ|ขาย)|พนง|แอดมิ้?น|admin|คนจริง|มนุษย์|"
            r"ทีมงาน|ฝ่ายบริการลูกค้า|ฝ่ายลูกค้าสัมพันธ์|คอลเซ็?นเตอร์|call ?center|ซัพพอร์ต|โอเปอเรเตอร์)")
_ET_NOUN = (r"(?:inimese(?:ga)?|inimest|inimene|(?:kliendi)?teenindaja(?:ga|t)?|tootaja(?:ga|t)?|"
            r"operaatori(?:ga|t)?|operaator|konsultandi(?:ga)?|agendi(?:ga)?|kellegagi|klienditoe(?:ga)?|"
            r"klienditeenindus(?:ega|t)?)")
_ZH_NOUN = r"(?:真人|人工(?!智能|费|成本)|客服|专员|工作人员|服务人员|负责人|主管|经理)"

HUMAN: Table = {
    "en": (
        ("talk-to-person", rf"\b(?:talk|speak|chat|communicate|connect|transfer|put|get|escalate)"
                           rf"(?:ing)?\s+(?:me\s+|this\s+|it\s+)?(?:through\s+)?(?:to|with)\s+{_DET}{_EN_NOUN}\b"),
        ("ask-for-human", rf"\b(?:need|want|wanna|get|give|find|call|request|bring)\s+"
                          rf"(?:me\s+)?(?:to\s+)?{_DET}{_EN_STRONG}\b"),
        ("contact-human", rf"\b(?:contact|reach)\s+{_DET}(?:humans?|agents?|operators?|representatives?|"
                          r"(?:real|live|actual) (?:person|people|someone|somebody))\b"),
        ("want-a-person", rf"\b(?:need|want|wanna|get me|give me|prefer)\s+{_DET}(?:person|someone|"
                          r"somebody|people)\s*(?:please|pls|plz|now|asap|here)?\s*(?:[.!?,;]|$)"),
        ("real-person", r"\b(?:real|live|actual|living)\s+(?:humans?|person|people|agent|someone|"
                        r"somebody|operator|representative)\b|\bhuman\s+(?:agent|being|support|help|"
                        r"operator|representative|assistance)\b"),
        ("someone-to-talk-to", r"\b(?:humans?|person|agent|someone|somebody|anyone|anybody)\s+"
                               r"(?:i|we)\s+(?:can|could)\s+(?:talk|speak|chat)\b"),
        ("no-bot", r"\b(?:don'?t|do not|dont)\s+want\s+(?:to\s+(?:talk|speak|chat)\s+(?:to|with)\s+)?"
                   r"(?:a\s+|the\s+|this\s+)?(?:bot|robot|chatbot|machine)\b|\b(?:stop|no more)\s+"
                   r"(?:the\s+|this\s+)?(?:bot|robot|chatbot)\b"),
    ),
    "th": (
        ("talk-to-staff", rf"(?:คุย|พูด|แชท|แชต|สนทนา|ปรึกษา)\s*(?:กับ|กะ|กัป)?\s*(?:{_TH_NOUN}|"
                          r"คน(?!ส่ง|ขับ|ที่|อื่น|ละ|ใน))"),
        ("contact-staff", rf"(?:ติดต่อ|ขอสาย|โอนสาย|ต่อสาย|เรียก|ขอ|ต้องการ|อยากได้)\s*"
                          rf"(?:ไป(?:ยัง|หา|ที่)?|ถึง)?\s*{_TH_NOUN}"),
        ("real-person", r"คนจริง|มนุษย์จริง"),
    ),
    "et": (
        ("talk-to-person", r"\b(?:raakida|raagin|raagiks|raakima|suhelda|suhtlema|vestelda|uhenda\w*|"
                           rf"suuna\w*|edasta\w*)\s+(?:\w+\s+){{0,2}}?(?:paris\s+|elava\s+)?{_ET_NOUN}\b"),
        ("person-to-talk", rf"\b{_ET_NOUN}\s+(?:\w+\s+)?(?:raakida|suhelda|vestelda|raakima|suhtlema)\b"),
        ("ask-for-person", r"\b(?:soovin|tahan|tahaksin|sooviksin|vajan|palun|anna|andke)\s+"
                           r"(?:\w+\s+){0,2}?(?:paris\s+|elavat\s+)?(?:inimest|inimene|"
                           r"(?:kliendi)?teenindaja[t]?|operaatorit|tootajat)\b"),
        ("real-person", r"\b(?:paris|elav|elava)\s+(?:inimene|inimesega|inimest|inimese)\b"),
    ),
    "zh": (
        ("transfer", rf"转(?:接)?(?:到|给)?{_ZH_NOUN}"),
        ("ask-for-agent", rf"(?:找|叫|要|接|呼叫|请|需要)(?:一下|一个|个|你们的?)?{_ZH_NOUN}"),
        # "和客服聊天记录" is the record of a chat with support, not a wish to have one.
        ("talk-to", r"(?:跟|和|与|同)(?:真人|人工|客服|专员|工作人员|人)"
                    r"(?:说话|聊(?!天?[记纪]录)|谈|讲|沟通|对话|通话)(?![记纪]录)"),
        ("human-agent", r"真人(?!秀)|人工客服|人工服务|人工坐席"),
    ),
    "ja": (("operator", r"オペレーター|有人(?:対応|チャット)|(?:担当者|人間|スタッフ|人)(?:と|に)"
                        r"(?:話|つな|繋|代わ)"),),
    "ko": (("agent", r"상담(?:원|사|직원)|(?:사람|직원)(?:과|와|이랑|하고|한테)\s*"
                     r"(?:대화|통화|연결|이야기|얘기)"),),
    "de": (("talk-to-person", r"\b(?:mit|zu)\s+(?:einem|einer|dem|der|ihrem|einen|jemandem)?\s*"
                              r"(?:echten\s+|realen\s+)?(?:menschen|mensch|mitarbeiter\w*|berater\w*|"
                              r"kundendienst|kundenservice|person|jemandem)\s+(?:sprechen|reden|chatten|"
                              r"verbinden|verbunden)|\b(?:echter|echten)\s+mensch\w*"),),
    "fr": (("talk-to-person", r"\b(?:parler|discuter|echanger|joindre|contacter)\s+(?:a|avec)?\s*"
                              r"(?:un|une|le|la|quelqu'?un|quelqu un)?\s*(?:vrai\w*\s+)?(?:conseill\w+|"
                              r"humain\w*|agent|operat\w+|personne|service client|quelqu'?un)"),),
    "es": (("talk-to-person", r"\b(?:hablar|comunicarme|chatear|contactar|hable)\s+(?:con|a)\s+(?:un|una|"
                              r"el|la)?\s*(?:humano|persona|agente|asesor\w*|operador\w*|representante|"
                              r"alguien|ejecutivo)|\b(?:persona|humano)\s+real\b"),),
    "ru": (("talk-to-person", r"(?:поговорить|говорить|связаться|связать|соедините|переключите|позовите|"
                              r"позвать|хочу|нужен|нужна|дайте)\s+(?:\w+\s+)?(?:с\s+)?(?:живым\s+|"
                              r"реальным\s+)?(?:человеком|оператор\w*|менеджер\w*|специалист\w*|"
                              r"сотрудник\w*|консультант\w*)|живой\s+человек"),),
    "ar": (("talk-to-person", r"(?:اتحدث|أتحدث|التحدث|اكلم|أكلم|تكلم|التواصل|اتواصل|أتواصل|حولني|"
                              r"وصلني|أريد|اريد|ابغى|أبغى|ابي)\s+(?:\S+\s+){0,2}?(?:موظف|شخص|إنسان|"
                              r"انسان|بشري|خدمة العملاء|ممثل|مندوب)"),),
    "he": (("talk-to-person", r"(?:לדבר|לשוחח|להתחבר|תעביר|תחבר|רוצה)\s+(?:\S+\s+)?(?:נציג|נציגה|"
                              r"בן אדם|אדם אמיתי|שירות לקוחות)"),),
}
# A whole message that is only a noun like these (plus fillers) asks for a person: "agent!!",
# "human please", "klienditeenindaja", "เจ้าหน้าที่ค่ะ", "人工".
SHORT_NOUNS = _words(
    "human humans person agent agents operator representative rep someone somebody staff manager "
    "supervisor inimene inimest inimesega klienditeenindaja klienditeenindajat klienditeenindus "
    "teenindaja operaator mensch mitarbeiter humain conseiller humano persona agente asesor "
    "оператор человек")
FILLER = _words(
    "a an the i me my to with please pls plz now just real live actual hi hello hey ok okay "
    "customer service support talk speak need want get give palun tere paris elav bitte echter "
    "s'il vous plait svp por favor un una ein einen пожалуйста")
TH_SHORT = re.compile(rf"^\s*(?:ขอ|เรียก)?\s*{_TH_NOUN}\s*(?:ค่ะ|ครับ|คะ|คับ|ฮะ|นะ|จ้า|หน่อย|ด้วย|"
                      r"ที|ได้ไหม|ได้มั้ย|ๆ|\s|[!?.])*$")
ZH_SHORT = re.compile(r"^\s*(?:我要|要|请|转)?(?:客服|人工|真人)\s*[!?.！？。]*$")

_EN_SWEAR = (r"\b(?:fuck\w*|f+u+c+k+|fck\w*|fuk\w*|wtf|wth|stfu|ffs|omfg|shit\w*|bullshit|crap\w*|"
             r"damn\w*|goddamn|asshole\w*|bastards?|bitch\w*|dick\w*|piss(?:ed)?|screw (?:you|this)|"
             r"sucks?|idiots?|idiotic|stupid|morons?|dumb|useless|pathetic|incompetent|clowns|"
             r"scammers?|scammed|thie(?:f|ves)|rip[- ]?off|disgrac\w*|disgusting|outrage\w*|"
             r"unacceptable|ridiculous|absurd|horrible|terrible|awful|appalling|worst|furious|angry|"
             r"livid|garbage|rubbish|liars?|shame on you)\b")
ANGRY: Table = {
    "en": (("strong-language", _EN_SWEAR),
           ("complaint", r"\b(?:fed up|sick (?:and tired )?of|had enough|never again|this is a joke|"
                         r"hate (?:you|this|your)|lying to me)\b")),
    "th": (("complaint", r"แย่มาก|แย่ที่สุด|แย่จริง|ห่วย|เฮงซวย|โกรธ|โมโห|หงุดหงิด|ไม่พอใจ|ผิดหวัง|เซ็ง|"
                         r"รำคาญ|ไร้สาระ|ไม่ไหวแล้ว|บริการแย่|ไม่รับผิดชอบ|ขี้โกง|โกงเงิน|บ้าบอ"),
           ("insult", r"เหี้ย|เชี่ย|สัส(?!ดี)|ควาย|โง่|ระยำ|ชิบหาย|ฉิบหาย|แม่ง|มึง|กู(?!เกิ)|ตอแหล")),
    "et": (("complaint", r"\b(?:jube\w*|kohutav\w*|jama|mottetu|naeruvaarne|vastik|halvim\w*|vihane|"
                         r"vihastab|vihaseks|skandaal\w*|habi teile|halb teenindus|petised|petturid)\b"),
           ("insult", r"\b(?:pask|persse|tura|kurat|kuradi|raisk|raibe|idioot\w*|loll|lollid|lollus|"
                      r"sitt\w*)\b")),
    "zh": (("complaint", r"太烂|烂透|烂死|什么烂|垃圾(?!邮件|箱|桶|分类|短信|信)|气死|生气|愤怒|火大|"
                         r"恼火|坑人|坑爹|骗子(?!邮件|短信|电话|网站|链接|信息)|骗钱|无语|受够|差劲|太差|最差|恶心|离谱|投诉|不像话|搞什么|什么鬼|扯淡|"
                         r"忍无可忍|失望透顶|太过分"),
           ("insult", r"他妈|妈的|tmd|尼玛|草泥马|操你|操蛋|我靠|卧槽|傻逼|傻b|脑残|滚蛋|废物")),
    "ja": (("complaint", r"最悪|ふざけ|ひどい|酷い|ムカつ|むかつ|腹立|いい加減にし|激怒|クソ|バカ|馬鹿"),),
    "ko": (("complaint", r"최악|짜증|화가|화나|열받|빡치|씨발|시발|ㅅㅂ|개같|미친|사기꾼|어이없|장난하"),),
    "de": (("complaint", r"\b(?:scheisse|scheiss\w*|verdammt|unverschamt|frechheit|katastroph\w*|"
                         r"sauerei|idioten|inkompetent|bescheuert|schlechteste\w*|wutend|arschloch)\b"),),
    "fr": (("complaint", r"\b(?:merde|putain|bordel|inadmissible|scandal\w*|honteux|connards?|escroc\w*|"
                         r"arnaque\w*|degueulasse|furieux|en colere|ras le bol|j'en ai marre)\b"),),
    "es": (("complaint", r"\b(?:mierda|joder|jodido|carajo|estafa\w*|ladron\w*|verguenza|pesim[oa]|"
                         r"inaceptable|ridicul[oa]|hart[oa]|furios[oa]|enojad\w*|idiota\w*|estupid\w*|"
                         r"inutiles?)\b"),),
    "ru": (("complaint", r"(?:бля\w*|сука|пизд\w*|ебан\w*|хуй\w*|дерьм\w*|отвратительн\w*|ужасн\w*|"
                         r"позор\w*|безобразие|мошенник\w*|идиот\w*|бесит|достали|кошмар)"),),
    "ar": (("complaint", r"سيء جدا|سيئة جدا|أسوأ|اسوأ|غاضب|زفت|تافه|نصاب|حرامي|مهزلة|فضيحة"),),
    "he": (("complaint", r"גרוע|זוועה|מחפיר|נוכלים|חרא|מטומטם|שערורי|כועס|בושה"),),
}
URGENT: Table = {
    "en": (("urgent", r"\b(?:urgent\w*|asap|a\.s\.a\.p|immediately|emergency|right away|"
                      r"time[- ]sensitive|as soon as possible|hurry)\b|\bnow\s*!+"),),
    "th": (("urgent", r"(?<!ส่ง)ด่วน(?!พิเศษ)|ฉุกเฉิน|เดี๋ยวนี้|รอไม่ได้|รีบ(?:หน่อย|ๆ|ด่วน|มาก)"),),
    "et": (("urgent", r"\b(?:kiire(?!\s+(?:tarne|kohaletoimetami\w*|saatmi\w*|kuller\w*|transpor\w*|"
                      r"postitus|tarnimi\w*|makse\w*|laadimi\w*|kusimus\w*))|kiireloomuli\w*|kiiremas korras|"
                      r"viivitamatult|otsekohe|hadaolukor\w*|erakorrali\w*|palun kiiresti|"
                      r"kiiresti palun)\b"),),
    "zh": (("urgent", r"紧急|(?<!加)急(?!速|剧|性|件)|赶快|赶紧|尽快|立刻|立即(?!购买|下单)|十万火急|"
                      r"火速|刻不容缓|等不了|等不及|马上(?:处理|回复|解决|帮|给)"),),
    "ja": (("urgent", r"至急|急いで|緊急|今すぐ"),),
    "ko": (("urgent", r"급해|급합니다|긴급|급한|당장|응급"),),
    "de": (("urgent", r"\b(?:dringend|sofort|eilig|notfall|umgehend|schnellstmoglich)\b"),),
    "fr": (("urgent", r"\b(?:urgent\w*|urgence|immediatement|tout de suite|au plus vite)\b"),),
    "es": (("urgent", r"\b(?:urgente|urgencia|inmediatamente|emergencia|cuanto antes|"
                      r"lo antes posible)\b"),),
    "ru": (("urgent", r"срочн\w*|немедленно|экстренн\w*|как можно скорее"),),
    "ar": (("urgent", r"عاجل|ضروري|طوارئ|فورا|فوراً|حالا|في أسرع وقت"),),
    "he": (("urgent", r"דחוף|חירום|מיידי"),),
}

# Words the spelling fix may restore; close misspellings of them are rewritten before matching.
# Sorted, so a word close to two of them always gets the same one.
SPELLING = tuple(sorted(_words(
    "human person agent operator representative someone somebody speak talk customer service support "
    "connect transfer manager supervisor please urgent urgently immediately emergency ridiculous "
    "terrible horrible unacceptable useless incompetent disgusting pathetic stupid angry furious "
    "worst inimesega inimene klienditeenindaja klienditeenindajaga raakida teenindaja operaator "
    "viivitamatult")))
# Real words one typo away from a lexicon word, which must stay as they are.
REAL_WORDS = _words("worse worth lease humane agenda agency persona personal persons speaks talks "
                    "service's angle angel tall walk talc stupor humain humains humano humanos "
                    "humana agente agentes personne operador operateur")


@dataclass(frozen=True)
class Rule:
    kind: str  # the trigger reason a match gives: "human_requested" | "angry" | "urgent"
    lang: str
    name: str
    pattern: re.Pattern[str]

    @property
    def label(self) -> str:
        return f"{self.lang}:{self.name}"


def compile_rules(kind: str, table: Table) -> tuple[Rule, ...]:
    """Every rule of `table`, compiled, in table order (the first match wins)."""
    return tuple(Rule(kind, lang, name, re.compile(rx)) for lang, rules in table.items()
                 for name, rx in rules)
