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
	"Cheapest standard delivery":                                                                                                        "Lētākā standarta piegāde",
}

func init() {
	for en, lv := range catalogLVRecord {
		if _, twice := catalogLV[en]; twice {
			panic("views: the Latvian catalogue translates " + en + " twice")
		}
		catalogLV[en] = lv
	}
}
