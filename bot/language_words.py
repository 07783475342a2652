"""Data tables of language detection (bot/language.py): scripts, alphabets and common words.

Read-only; bot/language.py holds the logic that scores text against them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

# Per script: its name, a pattern matching one of its letters, the languages written in it (the
# first is the one an unserved text in that script is taken for).
SCRIPTS: tuple[tuple[str, re.Pattern[str], tuple[str, ...]], ...] = (
    ("thai", re.compile(r"[\u0e00-\u0e7f]"), ("th",)),
    ("lao", re.compile(r"[\u0e80-\u0eff]"), ("lo",)),
    ("hangul", re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]"), ("ko",)),
    ("kana", re.compile(r"[\u3040-\u30ff]"), ("ja",)),
    ("han", re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"), ("zh-TW", "zh-CN", "ja")),
    ("arabic", re.compile(r"[\u0600-\u06ff]"), ("ar", "fa", "ur")),
    ("hebrew", re.compile(r"[\u0590-\u05ff]"), ("he", "yi")),
    ("greek", re.compile(r"[\u0370-\u03ff]"), ("el",)),
    ("devanagari", re.compile(r"[\u0900-\u097f]"), ("hi", "mr", "ne")),
    ("cyrillic", re.compile(r"[\u0400-\u04ff]"), ("ru", "uk", "bg", "sr", "mk", "kk", "be")),
    ("latin", re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]"), ()),
)

# Characters Japanese writes but neither Traditional nor Simplified Chinese does (shinjitai, kokuji).
JA_ONLY: frozenset[str] = frozenset(
    "歴払変続売読気発図駅険検験帰広関覧戻様絵転伝択沢営価円済応単辺楽対両処拡悪児県薬働畑枠込匂"
    "労効勧舗姫恵挿捜斎桜稲穂隠鉄闘齢戦仏弐")
# Function characters Chinese writes and Japanese (which uses kana for these) does not.
ZH_ONLY: frozenset[str] = frozenset("的了吗嗎呢吧们們么麼怎这這哪裡没沒还還给給让讓该該")

# Letters each language writes beyond a-z (Latin) or its whole alphabet (Cyrillic). A letter
# outside it is strong evidence against the language; languages not listed are not judged.
ALPHABETS: Mapping[str, str] = MappingProxyType({
    "en": "", "id": "", "ms": "", "et": "äöõüšž", "de": "äöüß", "fr": "àâæçéèêëîïôœùûüÿ",
    "es": "áéíñóúü", "pt": "áâãàçéêíóôõú", "it": "àèéìíîòóù", "nl": "áéëèïóöü", "fi": "äöåšž",
    "sv": "åäöé", "da": "æøåé", "nb": "æøåéòóô", "pl": "ąćęłńóśźż", "lt": "ąčęėįšųūž",
    "lv": "āčēģīķļņšūž", "tr": "çğıöşüâîû", "ro": "ăâîșțşţ", "cs": "áčďéěíňóřšťúůýž",
    "vi": "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ",
    "ru": "абвгдеёжзийклмнопрстуфхцчшщъыьэюя", "uk": "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя",
    "bg": "абвгдежзийклмнопрстуфхцчшщъьюя", "be": "абвгдеёжзійклмнопрстуўфхцчшыьэюя",
    "sr": "абвгдђежзијклљмнњопрстћуфхцчџш", "mk": "абвгдѓежзѕијклљмнњопрстќуфхцчџш",
})

# Common words per language: function words and everyday support vocabulary (order, parcel,
# refund, password...), the words short questions are made of. General vocabulary, not phrases of
# eval/language_queries.jsonl (its held-out half measures how well that generalises); extend a
# list when a served language misses its own common words.
LEXICONS: Mapping[str, str] = MappingProxyType({
    "en": """hi hello thanks thank would like a an the my me i i'm im you your we our it its is are was
        were be been am to of for in on at by with from about and or but not no yes can cant can't cannot
        could how where when why what which who do does did dont don't doesnt doesn't didnt didn't have
        has had get got want need please help still yet never again this that there here any some all too
        just order orders ordered package parcel delivery deliver delivered shipping ship shipped track
        tracking refund refunds return returns returned cancel cancelled canceled change update password
        pw login log sign account email mail payment pay paid card charged charge twice invoice receipt
        code discount coupon promo price cost costs money back size wrong broken damaged missing lost
        arrived arrive came item items subscription plan trial free gift balance address customer service
        support human agent person talk speak working work issue problem reset forgot delete long take
        time many much days status new phone number if so up out off will should app apps website site
        online""",
    "et": """tere tänan ma mina mu minu sa sina su sinu me meie te teie ta tema on ei ja või kas kus
        kuidas miks millal mis mida kui kaua palju see seda siin veel juba ka aga et mitte pole ole olen
        saa saab saan sain tahan soovin vaja palun aitäh tellimus tellimust tellimuse tellisin pakk paki
        pakki saadetis saadetist tarne tarneaeg raha tagasi tagastus tagastada tagastamine tühistada
        tühistamine tühista muuta muuda muutmine vaheta vahetada parool parooli konto kontot kasutaja
        sisse logida makse maksta maksin maksti kaart kaardi arve hind maksab kood allahindlus suurus
        vale katki kadunud tulnud jõudnud aadress aadressi inimesega rääkida rakendus äpp töötab tööta
        kustuta kustutada garantii toode tooted kaup e-post e-posti päeva nädalat ikka enam mul mulle
        teil teile kuhu kust oma uus läbi korda kaks kokku jookseb lõpetada liitumine kliendituba
        teenindus""",
    "de": """möchte will muss kann machen ich mich mir mein meine meinen meiner du dein sie ihr ihre wir
        uns unser es ist sind war bin hat habe haben können kein keine nicht nein ja und oder aber wo wie
        wann warum was welche wer der die das den dem des ein eine einen mit von zu zum zur für auf an im
        in aus bei nach noch schon immer bitte danke bestellung bestellt paket lieferung versand sendung
        rückerstattung geld zurück rücksendung erstattung stornieren kündigen ändern passwort konto
        anmelden einloggen zahlung bezahlen karte rechnung gutschein rabatt preis kosten größe falsch
        kaputt beschädigt fehlt angekommen artikel abo kundenservice hilfe geht funktioniert löschen code
        lange dauert tage""",
    "fr": """veux voudrais peux peut dois faire fais je j'ai me moi mon ma mes tu te ton ta vous votre
        vos il elle nous notre est sont suis ai a avez pas ne n'est plus oui non et ou mais où comment
        quand pourquoi quoi quel quelle qui le la les l' un une des du de d' au aux en dans pour avec sur
        par encore déjà toujours merci svp commande commandé colis livraison envoi suivi remboursement
        rembourser retour retourner annuler changer modifier mot passe compte connecter connexion
        paiement payer carte facture code promo réduction prix frais taille mauvais cassé abîmé reçu
        arrivé article abonnement aide service client supprimer marche fonctionne jours adresse""",
    "es": """quiero quería necesito puedo puede pueden hacer hago yo me mi mis tú te tu tus usted su sus
        se lo le les nos nosotros nuestro es son está están estoy soy he ha han no sí y o pero dónde
        donde cómo como cuándo cuando por qué cuál quién el la los las un una unos de del al en con para
        sobre ya todavía aún siempre gracias favor pedido pedí paquete envío entrega seguimiento
        reembolso devolución devolver dinero cancelar cambiar contraseña cuenta iniciar sesión pago pagar
        tarjeta factura cupón código descuento precio cuesta talla mal roto llegó llega recibí artículo
        producto suscripción ayuda atención cliente borrar eliminar funciona días dirección correo cuánto
        cobraron veces""",
    "pt": """quero queria preciso posso pode podem fazer faço eu me meu minha meus minhas você vocês seu
        sua nós nosso é são está estão estou sou tenho tem não sim e ou mas onde como quando por que
        porque qual quem o a os as um uma de do da dos das no na nos nas em com para pra pelo pela ainda
        já sempre obrigado obrigada favor pedido encomenda pacote entrega envio frete rastrear rastreio
        reembolso estorno devolução devolver dinheiro cancelar trocar mudar senha conta entrar login
        pagamento pagar cartão fatura nota cupom código desconto preço custa tamanho errado quebrado
        chegou recebi produto assinatura ajuda atendimento atendente cliente excluir apagar funciona dias
        endereço cadê consigo quanto""",
    "it": """voglio vorrei posso può devo fare io mi mio mia miei tu ti tuo tua lei suo sua noi nostro è
        sono ho ha hanno non sì e o ma dove come quando perché cosa quale chi il lo la i gli le un una di
        del della dei in con per su da ancora già sempre grazie ordine ordinato pacco consegna spedizione
        tracciamento rimborso reso restituire soldi annullare cambiare modificare password account
        accedere pagamento pagare carta fattura codice sconto prezzo costa taglia sbagliato rotto
        arrivato ricevuto articolo abbonamento aiuto assistenza cliente eliminare funziona giorni
        indirizzo""",
    "nl": """ik mij me mijn jij je jouw u uw wij we ons onze het is zijn ben heb heeft hebben kan kunnen
        niet geen ja nee en of maar waar hoe wanneer waarom wat welke wie de een van met voor op naar bij
        nog al altijd alstublieft bedankt bestelling besteld pakket levering verzending bezorging volgen
        terugbetaling geld terug retour retourneren annuleren wijzigen wachtwoord inloggen betaling
        betalen kaart factuur kortingscode korting prijs kosten maat verkeerd kapot beschadigd aangekomen
        ontvangen artikel abonnement hulp klantenservice verwijderen werkt dagen adres""",
    "fi": """minä mä minun mun sinä sä sinun te teidän me meidän se on ovat oli olen en ei eivät ja tai
        mutta missä miten milloin miksi mikä mitä kuka kun jo vielä aina kiitos tilaus tilauksen tilasin
        tilaukseni paketti pakettia toimitus toimituksen seuranta palautus palauttaa palautan rahat rahaa
        takaisin peruuta peruuttaa vaihtaa vaihda salasana salasanan tili kirjautua kirjautumaan maksu
        maksaa kortti lasku koodi alennus hinta koko väärä rikki tullut saapunut tuote apua
        asiakaspalvelu poista toimi päivää osoite paljonko voiko voinko pääse saan""",
    "sv": """jag mig min mitt mina du dig din ni er vi vår det är var har hade kan inte ingen ja nej och
        eller men hur när varför vad vilken vem en ett den de av med för på till från i om redan
        fortfarande alltid tack beställning beställt paket leverans frakt spåra återbetalning pengar
        tillbaka retur returnera avbryta ändra lösenord konto logga betalning betala kort faktura
        rabattkod rabatt pris kostar storlek fel trasig kommit fått vara prenumeration hjälp kundtjänst
        radera fungerar dagar adress""",
    "da": """jeg mig min mit mine du dig din i jer vi vores det er var har havde kan ikke ingen ja nej og
        eller men hvor hvordan hvornår hvorfor hvad hvilken hvem en et den de af med for på til fra om
        allerede stadig altid tak bestilling ordre pakke levering fragt spore refusion penge tilbage
        returnere annullere ændre adgangskode konto logge betaling betale kort faktura rabatkode rabat
        pris koster størrelse forkert ødelagt kommet modtaget vare abonnement hjælp kundeservice slette
        virker dage adresse""",
    "nb": """jeg meg min mitt mine du deg din dere vi vår det er var har hadde kan ikke ingen ja nei og
        eller men hvor hvordan når hvorfor hva hvilken hvem en et den de av med for på til fra om
        allerede fortsatt alltid takk bestilling ordre pakke levering frakt spore refusjon penger tilbake
        returnere kansellere endre passord konto logge betaling betale kort faktura rabattkode rabatt
        pris koster størrelse feil ødelagt kommet mottatt vare abonnement hjelp kundeservice slette
        fungerer dager adresse""",
    "pl": """ja mnie mi mój moja moje ty ciebie twój pan pani my nasz jest są był była mam ma mają nie
        tak i lub albo ale gdzie jak kiedy dlaczego co który która kto w we z ze do na od po za dla przez
        o u już jeszcze zawsze dziękuję proszę zamówienie zamówienia zamówiłem zamówiłam paczka paczki
        przesyłka przesyłki dostawa wysyłka śledzenie zwrot pieniądze pieniędzy zwrócić anulować anuluj
        zmienić zmiana hasło hasła konto zalogować płatność zapłacić karta faktura kod rabat rabatowy
        cena kosztuje rozmiar zły uszkodzony doszła przyszła towar produkt subskrypcja pomoc obsługa
        klienta usunąć działa dni adres ile się""",
    "lt": """aš mane man mano tu tave tavo jūs jūsų mes mūsų yra buvo turiu turi galiu gali ne taip ir ar
        bet kur kaip kada kodėl kas koks kokia kuris į iš su be per prie apie už jau dar visada ačiū
        prašau užsakymas užsakymą užsakymo užsakiau siunta siuntą siuntinys pristatymas sekti pinigai
        pinigų pinigus grąžinti grąžinimas atšaukti pakeisti slaptažodis slaptažodį paskyra paskyrą
        prisijungti mokėjimas mokėti kortelė sąskaita kodas kodo nuolaida kaina kainuoja dydis dydį
        blogas sugadinta atėjo gavau prekė prekę prenumerata pagalba klientų aptarnavimas ištrinti veikia
        neveikia dienų adresas kiek noriu""",
    "lv": """es mani man mans mana tu tevi tavs jūs jūsu mēs mūsu ir bija esmu var varu nav jā nē un vai
        bet kur kā kad kāpēc kas kurš kura uz no ar bez par pie pēc jau vēl vienmēr paldies lūdzu
        pasūtījums pasūtījumu pasūtījuma pasūtīju paka paku sūtījums sūtījumu piegāde izsekot nauda naudu
        atmaksa atgriezt atcelt mainīt parole paroli konts kontu pieslēgties maksājums maksāt karte
        rēķins kods atlaide atlaides cena maksā izmērs izmēru nepareizs bojāta pienākusi saņēmu prece
        preci abonements palīdzība klientu apkalpošana dzēst darbojas nedarbojas dienas adrese cik gribu""",
    "tr": """ben beni benim bana sen seni senin siz sizin biz bizim bu şu o var yok değil evet hayır ve
        veya ama nerede nasıl ne zaman neden niye hangi kim mi mı mu mü ile için de da daha hâlâ zaten
        hep lütfen teşekkürler sipariş siparişim siparişi siparişimi kargo paket teslimat gönderim takip
        iade para geri iptal değiştir değiştirmek şifre şifremi hesap hesabı giriş ödeme öde kart fatura
        kod indirim fiyat ücret ücreti beden yanlış bozuk hasarlı geldi gelmedi ürün ürünü abonelik
        yardım müşteri hizmetleri sil çalışmıyor gün adres kadar istiyorum""",
    "id": """saya aku kamu anda kami kita dia ini itu ada tidak tak gak nggak bukan ya dan atau tapi di
        mana dimana bagaimana gimana kapan kenapa mengapa apa siapa yang ke dari untuk dengan pada sudah
        belum masih selalu tolong terima kasih pesanan pesan paket kiriman pengiriman lacak pengembalian
        dana uang kembali retur batal batalkan ganti ubah kata sandi akun masuk pembayaran bayar kartu
        faktur kode diskon promo harga berapa ukuran salah rusak sampai datang barang produk langganan
        bantuan layanan pelanggan hapus bisa hari alamat mau""",
    "ms": """saya aku awak anda kami kita dia ini itu ada tidak tak bukan ya dan atau tetapi di mana
        bagaimana bila kenapa mengapa apa siapa yang ke dari untuk dengan pada sudah belum masih tolong
        terima kasih pesanan bungkusan penghantaran jejak bayaran balik wang batal tukar kata laluan
        akaun log masuk pembayaran bayar kad invois kod diskaun harga berapa saiz salah rosak sampai
        barang produk langganan bantuan khidmat pelanggan padam boleh hari""",
    "vi": """tôi mình bạn anh chị em của là có không chưa được bị và hoặc nhưng đâu ở sao thế nào bao giờ
        khi tại vì gì ai cho với để từ trong đã đang sẽ vẫn rồi nữa làm ơn cảm đơn hàng gói giao vận
        chuyển theo dõi hoàn tiền trả lại hủy đổi thay mật khẩu tài khoản đăng nhập thanh toán thẻ hóa mã
        giảm giá phí nhiêu size cỡ sai hỏng nhận sản phẩm ký hỗ trợ nhân viên xóa ngày địa chỉ lần quên""",
    "ro": """eu mă mie meu mea tu te tău dumneavoastră noi nostru este sunt am are au nu da și sau dar
        unde cum când de ce care cine la cu pentru pe din în încă deja mereu mulțumesc vă rog comanda
        comandă coletul colet livrare livrarea urmărire rambursare bani înapoi returnare anulare anula
        schimba parola cont conectez plata plată card factură factura cod reducere preț costă mărime
        greșit stricat ajuns primit produs abonament ajutor clienți șterge merge zile adresa""",
    "cs": """já mě mi můj moje ty tvůj vy váš my náš je jsou byl byla mám má nemám ne ano a nebo ale kde
        jak kdy proč co který kdo v ve s se z do na od po za pro o u už ještě vždy děkuji prosím
        objednávka objednávku objednávky balík balíček doručení doprava sledování vrácení peníze peněz
        zpět vrátit zrušit změnit heslo účet přihlásit platba zaplatit karta faktura kód sleva cena stojí
        velikost špatný rozbitý dorazil přišel zboží produkt předplatné pomoc zákaznická podpora smazat
        funguje dní adresa""",
    "ru": """я меня мне мой моя мои ты тебя твой вы вас ваш мы наш это он она не нет да и или но где как
        когда почему что какой кто в во на с со из к по за для от о у уже еще ещё всегда спасибо
        пожалуйста заказ заказа заказал посылка посылку доставка доставки отследить возврат деньги денег
        вернуть отменить изменить поменять сменить пароль аккаунт войти оплата оплатить карта счет счёт
        код промокод скидка цена стоит размер неправильный сломан пришел пришёл пришла товар подписка
        помощь поддержка оператор удалить работает дней адрес сколько можно""",
    "uk": """я мене мені мій моя мої ти тебе твій ви вас ваш ми наш це він вона не ні так і й або але де
        як коли чому що який хто в у на з із до по за для від о вже ще завжди дякую будь ласка замовлення
        посилка посилку доставка відстежити повернення гроші грошей повернути скасувати змінити пароль
        акаунт увійти оплата оплатити картка рахунок код знижка ціна коштує розмір неправильний зламаний
        прийшов прийшла товар підписка допомога підтримка видалити працює днів адреса скільки можна""",
})
LEXICON_BASES: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "latin": tuple(x for x in LEXICONS if x not in ("ru", "uk")),
    "cyrillic": ("ru", "uk"),
})
