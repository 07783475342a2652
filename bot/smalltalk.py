"""Conversational acts: greetings, thanks, goodbyes, acknowledgements, "help", yes / no and
"never mind", recognised in every catalog language before the message reaches retrieval.

A message is an act only when all of it is: "hi", "thanks a lot!", "สวัสดีค่ะ", "好的谢谢", "tere
👋", "ok thx" — never "hi, where is my parcel". Latin words are matched after case and accent
folding, with repeated letters squeezed ("hiii", "thanksss") and one typo forgiven in words of
five letters or more ("thnaks", "helllo"); Thai and Chinese, which put no spaces between words,
are segmented against the same tables (Chinese after Traditional → Simplified folding), so mixed
scripts ("hi สวัสดีค่ะ", "ok 谢谢") work too. Each phrase knows its language, except the ones
every language uses ("ok", "👍"), so an act never has to guess one: "ok" is nobody's Estonian.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from bot.answer_cache import AnswerCache
from bot.escalation import _distance
from indexer.analyzers import to_simplified

__all__ = ["Act", "SmallTalk", "Talk"]


class Act(StrEnum):
    """What a conversational message does (also the reason of the bot's reply to it)."""

    GREETING = "greeting"
    THANKS = "thanks"
    GOODBYE = "goodbye"
    ACK = "acknowledged"
    HELP = "help"
    YES = "yes"
    NO = "no"
    WITHDRAW = "withdraw"  # "never mind": take back a request for a person


# Which act a message of several is, when they differ: "ok thanks" thanks, "thanks bye" goodbye.
_RANK = (Act.WITHDRAW, Act.NO, Act.YES, Act.HELP, Act.GOODBYE, Act.THANKS, Act.GREETING, Act.ACK)
_ANY = ""  # a phrase every language uses

# (act, language, phrases). Latin phrases are folded (no accents, lower case); Chinese ones are
# Simplified (Traditional input is folded to them).
_TABLE: tuple[tuple[Act, str, str], ...] = (
    (Act.GREETING, "en", "hi|hello|hey|hiya|howdy|good morning|good afternoon|good evening|greetings|"
                         "yo|sup|hi there|hello there|hey there|morning|evening"),
    (Act.GREETING, "th", "สวัสดี|หวัดดี|ดีจ้า|ดีครับ|ดีค่ะ|สวัสดีตอนเช้า|ฮัลโหล|หวัดดีจ้า"),
    (Act.GREETING, "et", "tere|tervist|tsau|tere paevast|tere hommikust|tere ohtust|hei|terekest|moin"),
    (Act.GREETING, "zh", "你好|您好|哈喽|嗨|早上好|早安|午安|晚上好|大家好|在吗|在吗?|哈啰"),
    (Act.GREETING, "ar", "مرحبا|مرحبًا|اهلا|أهلا|السلام عليكم|صباح الخير|مساء الخير"),
    (Act.GREETING, "he", "שלום|היי|בוקר טוב|ערב טוב|אהלן"),
    (Act.GREETING, _ANY, "👋|🙋"),
    (Act.THANKS, "en", "thanks|thank you|thx|ty|tnx|thank u|thanks a lot|thank you so much|many thanks|"
                       "cheers|much appreciated|appreciate it|thanks so much|thank you very much|tysm"),
    (Act.THANKS, "th", "ขอบคุณ|ขอบใจ|ขอบคุณมาก|ขอบคุณมากๆ|แต๊งกิ้ว|ขอบคุณนะ|ขอบพระคุณ"),
    (Act.THANKS, "et", "aitah|tanan|tanud|suur aitah|aitah vaga|tanan vaga|aitaeh"),
    (Act.THANKS, "zh", "谢谢|多谢|感谢|谢啦|谢了|非常感谢|谢谢你|谢谢您|感恩|3q"),
    (Act.THANKS, "ar", "شكرا|شكرًا|شكرا جزيلا|مشكور"),
    (Act.THANKS, "he", "תודה|תודה רבה|תנקס"),
    (Act.THANKS, _ANY, "🙏|❤️|❤|🙂|😊"),
    (Act.GOODBYE, "en", "bye|goodbye|good bye|bye bye|see you|see ya|cya|later|have a nice day|"
                        "thats all|that is all|im done|all good|good night"),
    (Act.GOODBYE, "th", "บาย|ลาก่อน|แค่นี้|แค่นี้แหละ|ไว้คุยกันใหม่|บ๊ายบาย"),
    (Act.GOODBYE, "et", "head aega|nagemist|nageme|tsau tsau|hea paeva|kohtumiseni|see on koik"),
    (Act.GOODBYE, "zh", "再见|拜拜|回头见|没事了|就这样|88"),
    (Act.GOODBYE, "ar", "مع السلامة|وداعا|الى اللقاء"),
    (Act.GOODBYE, "he", "להתראות|ביי|יום טוב"),
    (Act.ACK, "en", "okay|alright|all right|got it|cool|fine|great|perfect|nice|understood|i see|"
                    "noted|good|awesome|sounds good|makes sense"),
    (Act.ACK, "th", "โอเค|ตกลง|เข้าใจแล้ว|รับทราบ|โอเคค่ะ|ได้เลย|โอเคครับ|ดีเลย"),
    (Act.ACK, "et", "olgu|selge|sobib|hasti|okei|arusaadav|hea|super|tore"),
    (Act.ACK, "zh", "好的|好|知道了|明白|明白了|了解|收到|行|可以|嗯|嗯嗯|懂了"),
    (Act.ACK, "ar", "حسنا|تمام|فهمت"),
    (Act.ACK, "he", "בסדר|אוקיי|הבנתי|מעולה"),
    (Act.ACK, _ANY, "ok|k|kk|okey|oki|okk|👍|👌|✅|👍🏻|👍🏼|👍🏽"),
    (Act.HELP, "en", "help|help me|help please|i need help|can you help|can you help me|menu|"
                     "what can you do|options|need help"),
    (Act.HELP, "th", "ช่วยด้วย|ช่วยหน่อย|ขอความช่วยเหลือ|ช่วยได้ไหม|ทำอะไรได้บ้าง"),
    (Act.HELP, "et", "abi|appi|aidake|vajan abi|mida sa oskad"),
    (Act.HELP, "zh", "帮助|帮帮我|求助|救命|帮我|你能做什么|需要帮助"),
    (Act.HELP, "ar", "مساعدة|ساعدني"),
    (Act.HELP, "he", "עזרה|תעזור לי"),
    (Act.YES, "en", "yes|yeah|yep|yup|sure|yes please|please|of course|definitely|ya|yea|do it|go ahead"),
    (Act.YES, "th", "ใช่|ได้|เอา|ต้องการ|ได้เลยค่ะ"),
    (Act.YES, "et", "jah|jaa|jep|muidugi|palun|jah palun|ikka"),
    (Act.YES, "zh", "是|是的|对|对的|要|需要|好啊|麻烦了|麻烦你|请"),
    (Act.YES, "ar", "نعم|أجل|اجل|ايوه"),
    (Act.YES, "he", "כן|בטח|כן בבקשה"),
    (Act.NO, "en", "no|nope|nah|no thanks|no thank you|not now|no need|not really"),
    (Act.NO, "th", "ไม่|ไม่ใช่|ไม่ต้อง|ไม่เอา"),
    (Act.NO, "et", "ei|ei aitah|pole vaja|ei ole vaja|ei taha|mitte"),
    (Act.NO, "zh", "不|不是|不要|不用|不需要|没有|不对|不用谢谢"),
    (Act.NO, "ar", "لا|لا شكرا"),
    (Act.NO, "he", "לא|לא תודה"),
    (Act.WITHDRAW, "en", "never mind|nevermind|nvm|forget it|cancel|cancel that|cancel the request|"
                         "i changed my mind|no longer needed|dont need a person|i dont need help anymore"),
    (Act.WITHDRAW, "th", "ไม่เป็นไร|ยกเลิก|ช่างมัน|ไม่ต้องแล้ว|ยกเลิกคำขอ"),
    (Act.WITHDRAW, "et", "pole oluline|unusta|tuhista|pole enam vaja|ununeta"),
    (Act.WITHDRAW, "zh", "算了|不用了|取消|没关系|不需要了|取消吧"),
    (Act.WITHDRAW, "ar", "لا يهم|الغاء"),
    (Act.WITHDRAW, "he", "לא משנה|בטל"),
)
# Words that may ride along with an act without making it a question: "thanks so much bot".
_FILLER_WORDS = ("so much very a lot again there bot you u all for the your guys team friend "
                 "once more oh ah well then just really and sir madam dear")
_FILLER = frozenset(_FILLER_WORDS.split())
# Thai politeness particles and Chinese interjections that end a short message.
_PARTICLES = ("ค่ะ", "ครับ", "คะ", "คับ", "ค้าบ", "ฮะ", "นะ", "จ้า", "จ้ะ", "จ๊ะ", "ๆ", "น้า", "ค่า",
              "啊", "呀", "吧", "呢", "哦", "喔", "噢", "啦", "了", "哈", "嘛", "的")
_LATIN = re.compile(r"[a-z0-9']+")
_PUNCT = re.compile(r"[\s!?.,;:~…。！？，、()\"“”'‘’*_-]+")
_MAX_WORDS = 8
_THAI = re.compile(r"[\u0e00-\u0e7f]")


@dataclass(frozen=True)
class Talk:
    """A conversational message: what it does, and the language its words belong to ("" when
    every language says it that way: "ok", "👍")."""

    act: Act
    lang: str
    acts: frozenset[Act]  # every act in it: "ok" is an acknowledgement and, after a question, a yes


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold().replace("’", "'")
    return "".join(unicodedata.normalize("NFKD", c)[0] if "\u00c0" <= c <= "\u024f" else c for c in text)


def _squeeze(word: str) -> str:
    return re.sub(r"(.)\1{2,}", r"\1", word)  # "hiii" → "hi", keeps "hello", "sobib"


class SmallTalk:
    """Recognises conversational acts; built once (the tables are folded and indexed here)."""

    def __init__(self) -> None:
        t2s: Callable[[str], str] = to_simplified()
        self._t2s = t2s
        phrases: dict[str, list[tuple[Act, str]]] = {}
        for act, lang, texts in _TABLE:
            for phrase in texts.split("|"):
                key = " ".join(_fold(t2s(phrase)).replace("'", "").split())
                phrases.setdefault(key, []).append((act, lang))
        self._phrases = phrases
        self._words = {p for p in phrases if _LATIN.fullmatch(p)}
        self._longest = max(len(p.split()) for p in phrases)
        # Phrases of scripts without spaces, for segmenting "สวัสดีค่ะ" or "好的谢谢".
        self._compact = {p: v for p, v in phrases.items() if not _LATIN.fullmatch(p.replace(" ", ""))}
        # By a digest of the word, holding only a table word: no customer's words are kept.
        self._fixes: AnswerCache[str] = AnswerCache(4096, "smalltalk")

    def detect(self, text: str) -> Talk | None:
        """The act `text` is, or None when it says anything more than an act."""
        norm = " ".join(_PUNCT.sub(" ", _fold(self._t2s(text)).replace("'", "")).split())
        if not norm:
            return None
        tokens = norm.split()
        if len(tokens) > _MAX_WORDS:
            return None
        found = self._match(tokens)
        if not found:
            return None
        acts = frozenset(a for a, _ in found)
        act = next(a for a in _RANK if a in acts)
        langs = {lang for a, lang in found if lang}
        lang = langs.pop() if len(langs) == 1 else ""
        return Talk(act, lang, acts)

    def _match(self, tokens: list[str]) -> list[tuple[Act, str]] | None:
        """The acts of a message made only of phrases and fillers, longest phrase first."""
        out: list[tuple[Act, str]] = []
        i = 0
        while i < len(tokens):
            for n in range(min(self._longest, len(tokens) - i), 0, -1):
                hit = self._phrase(tokens[i:i + n])
                if hit is not None:
                    out.extend(hit)
                    i += n
                    break
            else:
                token = tokens[i]
                if token in _FILLER and out or token in _FILLER and i + 1 < len(tokens):
                    i += 1
                    continue
                pieces = self._segment(token)
                if pieces is None:
                    return None
                out.extend(pieces)
                i += 1
        return out or None

    def _phrase(self, words: list[str]) -> list[tuple[Act, str]] | None:
        key = " ".join(words)
        if key in self._phrases:
            return self._phrases[key]
        if len(words) == 1 and _LATIN.fullmatch(key):
            fixed = self._fix(key)
            return self._phrases.get(fixed) if fixed else None
        fixed_words = [self._fix(w) if _LATIN.fullmatch(w) else w for w in words]
        if all(fixed_words):
            return self._phrases.get(" ".join(w or "" for w in fixed_words))
        return None

    def _fix(self, word: str) -> str:
        key = self._fixes.key(word)
        known = self._fixes.get(key)
        if known is None:
            known = self._respell(word)
            self._fixes.put(key, known)
        return known

    def _respell(self, word: str) -> str:
        """The table word `word` stands for: itself, squeezed ("thanksss"), or one typo away
        ("thnaks") for words of five letters or more; "" if none."""
        for form in dict.fromkeys((word, _squeeze(word), re.sub(r"(.)\1+", r"\1", word))):
            if form in self._words:
                return form
        if len(word) < 4:
            return ""
        close = [w for w in self._words if len(w) >= 5 and _distance(word, w, 1) <= 1]
        return close[0] if len(close) == 1 else ""

    def _segment(self, token: str) -> list[tuple[Act, str]] | None:
        """A token in a script without spaces ("สวัสดีค่ะ", "好的谢谢") as table phrases and
        particles, or None."""
        if _LATIN.fullmatch(token):
            return None
        best: list[list[tuple[Act, str]] | None] = [None] * (len(token) + 1)
        best[0] = []
        for end in range(1, len(token) + 1):
            for start in range(max(0, end - 12), end):
                prev = best[start]
                if prev is None:
                    continue
                piece = token[start:end]
                if piece in self._compact:
                    best[end] = [*prev, *self._compact[piece]]
                    break
                if piece in _PARTICLES and (prev or end < len(token)):
                    best[end] = prev
                    break
        result = best[len(token)]
        if result is None and all(c in "".join(_PARTICLES) for c in token) and _THAI.search(token):
            return [(Act.ACK, "th")]  # "ค่ะ", "ครับ" alone: a polite "yes, I see"
        return result or None
