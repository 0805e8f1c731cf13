package views

// catalogLVRecord is the Latvian of the withdrawal's settings, the staff's
// registration of a statement that came by email or post, and the record
// of a withdrawal. init adds it to catalogLV, refusing a text that another
// part translates too.
var catalogLVRecord = map[string]string{
	"These settings contradict the law":           "Šie iestatījumi ir pretrunā ar likumu",
	"Right of withdrawal":                         "Atteikuma tiesības",
	"Label of the withdrawal function in English": "Atteikuma funkcijas saites teksts angliski",
	"Label of the withdrawal function in Latvian": "Atteikuma funkcijas saites teksts latviski",
	"Customers may withdraw from a purchase within 14 days of receiving it, without a reason, through the withdrawal function on every customer page and email.": "Klienti var atteikties no pirkuma 14 dienu laikā pēc tā saņemšanas, nenorādot iemeslu, ar atteikuma funkciju, kas ir katrā klienta lapā un e-pastā.",
	"The law asks for “withdraw from contract here” or words as clear.":                                                                                          "Likums prasa tekstu “atteikties no līguma šeit” vai tikpat skaidru formulējumu.",
	"Shown on the pages and emails in Latvian.":                                                                                                                  "Redzams lapās un e-pastos latviešu valodā.",
	"Tag of goods made to the customer’s specifications":                                                                                                         "Birka precēm, kas izgatavotas pēc klienta norādījumiem",
	"Products with this Shopify tag are made to order or personalised: the law exempts them from withdrawal. Empty for none.":                                    "Preces ar šo Shopify birku ir izgatavotas pēc pasūtījuma vai personalizētas: likums tām neparedz atteikuma tiesības. Tukšs — nav.",
	"Tag of perishable goods": "Birka ātrbojīgām precēm",
	"Products with this tag deteriorate or expire rapidly: the law exempts them from withdrawal. Empty for none.": "Preces ar šo birku ātri bojājas vai tām ātri beidzas derīguma termiņš: likums tām neparedz atteikuma tiesības. Tukšs — nav.",
	"Tag of sealed hygiene goods": "Birka aizzīmogotām higiēnas precēm",
	"Products with this tag are sealed for health or hygiene reasons: the law exempts them once unsealed. Empty for none.": "Preces ar šo birku ir aizzīmogotas veselības vai higiēnas apsvērumu dēļ: pēc atvēršanas likums tām neparedz atteikuma tiesības. Tukšs — nav.",
	"Days from fulfilment to delivery": "Dienas no izpildes līdz piegādei",
	"The period starts when the goods arrive. When Shopify knows no delivery date, they are taken to arrive this many days after they were fulfilled, 0 to %d.": "Termiņš sākas, kad preces ir saņemtas. Ja Shopify piegādes datumu nezina, uzskata, ka preces saņemtas tik dienas pēc izpildes, no 0 līdz %d.",
	"Tag of orders whose customer was not told of the right":                                                                            "Birka pasūtījumiem, kuru klients nav informēts par atteikuma tiesībām",
	"Mark an order with this Shopify tag when its customer was not told of the right of withdrawal: the law gives them 12 months more.": "Atzīmējiet pasūtījumu ar šo Shopify birku, ja klients nav informēts par atteikuma tiesībām: likums viņam dod par 12 mēnešiem vairāk.",
	"Refund the delivery with a withdrawal":                                                                                             "Atteikuma gadījumā atmaksāt piegādi",
	"A withdrawal from a whole order refunds the delivery the customer paid, as the law requires.":                                      "Atsakoties no visa pasūtījuma, klientam atmaksā samaksāto piegādi, kā to prasa likums.",
	"Cheapest standard delivery (%s)":                                                                                                   "Lētākā standarta piegāde (%s)",
	"A price such as 3.90. A customer who chose a dearer delivery is refunded this much of it; empty refunds what they paid.":           "Cena, piemēram, 3.90. Klientam, kurš izvēlējās dārgāku piegādi, atmaksā tikai šo summu; tukšs — atmaksā samaksāto.",
	"Withdrawal function label (English)":                                                                                               "Atteikuma funkcijas teksts (angliski)",
	"Withdrawal function label (Latvian)":                                                                                               "Atteikuma funkcijas teksts (latviski)",
	"Custom-made tag":                                                                                                                   "Birka pēc pasūtījuma izgatavotām precēm",
	"Perishable tag":                                                                                                                    "Birka ātrbojīgām precēm",
	"Sealed hygiene tag":                                                                                                                "Birka higiēnas precēm",
	"Days to delivery":                                                                                                                  "Dienas līdz piegādei",
	"Not-informed tag":                                                                                                                  "Birka neinformētiem klientiem",
	"Refund of the delivery":                                                                                                            "Piegādes atmaksa",
	"As on the statement, e.g. #1002.":                                                                                                  "Kā norādīts paziņojumā, piemēram, #1002.",
	"As on the statement.":                                                                                                              "Kā norādīts paziņojumā.",
	"Choose how the statement arrived: by email or by post.":                                                                            "Izvēlieties, kā paziņojums tika saņemts: pa e-pastu vai pa pastu.",
	"Customer’s email address":                                                                                                          "Klienta e-pasta adrese",
	"Customer’s name":                                                                                                                   "Klienta vārds, uzvārds",
	"Enter the day the statement arrived, e.g. 2026-06-19.":                                                                             "Ievadiet dienu, kad paziņojums tika saņemts, piemēram, 2026-06-19.",
	"For a statement of withdrawal that arrived by email or post. It is acknowledged to the customer by email and kept in the record, as one made on the site.": "Paziņojumam par atteikumu, kas saņemts pa e-pastu vai pa pastu. Klientam to apstiprina pa e-pastu, un to saglabā reģistrā tāpat kā vietnē izdarītu paziņojumu.",
	"How it arrived": "Kā tas tika saņemts",
	"It must be the order’s, as a customer’s lookup checks it. The acknowledgement is sent to it.": "Tai jābūt pasūtījuma adresei, kā to pārbauda klienta meklēšana. Uz to nosūta apstiprinājumu.",
	"No order has this number and email address.":                                                  "Nav pasūtījuma ar šādu numuru un e-pasta adresi.",
	"Nothing of order %s has been fulfilled yet: its withdrawal period has not started.":           "Nekas no pasūtījuma %s vēl nav izpildīts: tā atteikuma termiņš vēl nav sācies.",
	"Only when the customer gave one: none is needed.":                                             "Tikai tad, ja klients to norādīja: tas nav jānorāda.",
	"Reason (optional)": "Iemesls (nav obligāts)",
	"Register a withdrawal that arrived by email or post":                      "Reģistrēt atteikumu, kas saņemts pa e-pastu vai pa pastu",
	"Register a withdrawal":                                                    "Reģistrēt atteikumu",
	"Register the withdrawal":                                                  "Reģistrēt atteikumu",
	"The day it arrived":                                                       "Saņemšanas diena",
	"The day the statement arrived cannot be in the future.":                   "Paziņojuma saņemšanas diena nevar būt nākotnē.",
	"The statement covers every item of the order that can be withdrawn from.": "Paziņojums attiecas uz visām pasūtījuma precēm, no kurām var atteikties.",
	"The statement is made on this day: the withdrawal period is checked at it, and the refund’s 14 days run from it.": "Paziņojums ir izdarīts šajā dienā: pēc tās pārbauda atteikuma termiņu, un no tās skaita atmaksas 14 dienas.",
	"The withdrawal period of order %s ended on %s, before the statement arrived on %s.":                               "Pasūtījuma %s atteikuma termiņš beidzās %s, pirms paziņojums tika saņemts %s.",
	"Withdrawal registered; its acknowledgement is on its way to the customer.":                                        "Atteikums reģistrēts; apstiprinājums tiek nosūtīts klientam.",
	"Legal basis": "Juridiskais pamats",
	"Returns by the law they were made under": "Atgriešanas pēc juridiskā pamata",
	"Cheapest standard delivery":              "Lētākā standarta piegāde",
}

func init() {
	for en, lv := range catalogLVRecord {
		if _, twice := catalogLV[en]; twice {
			panic("views: the Latvian catalogue translates " + en + " twice")
		}
		catalogLV[en] = lv
	}
}
