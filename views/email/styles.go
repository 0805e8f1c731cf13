package email

import (
	"strings"

	"github.com/a-h/templ"
)

// The HTML part's styles are inline, on each element, because many mail
// clients drop <style> elements and every client ignores external CSS. Colours
// are always set in pairs (text and background), so a client that darkens an
// email keeps enough contrast; the one <style> element only adds dark colours
// for clients that honour prefers-color-scheme. Fonts are the system's: an
// email loads nothing from elsewhere.
const (
	fontStack = "-apple-system,BlinkMacSystemFont,Segoe UI,Roboto,Helvetica,Arial,sans-serif"

	sBody      templ.SafeCSS = "margin:0;padding:0;width:100%;background-color:#f3f4f6;color:#1f2937;"
	sPreheader templ.SafeCSS = "display:none;max-height:0;max-width:0;overflow:hidden;opacity:0;font-size:1px;line-height:1px;color:#f3f4f6;mso-hide:all;"
	sOuter     templ.SafeCSS = "background-color:#f3f4f6;"
	sOuterCell templ.SafeCSS = "padding:24px 12px;"
	sCard      templ.SafeCSS = "width:100%;max-width:600px;background-color:#ffffff;border:1px solid #e5e7eb;border-radius:8px;"
	sStore     templ.SafeCSS = "padding:20px 28px 0;font-family:" + fontStack + ";font-size:14px;line-height:20px;font-weight:600;color:#4b5563;"
	sStoreLink templ.SafeCSS = "color:#4b5563;text-decoration:none;"
	sLogo      templ.SafeCSS = "display:block;border:0;outline:none;height:auto;max-width:100%;"
	sContent   templ.SafeCSS = "padding:8px 28px 24px;font-family:" + fontStack + ";font-size:16px;line-height:24px;color:#1f2937;"
	sFooter    templ.SafeCSS = "padding:16px 28px 24px;border-top:1px solid #e5e7eb;font-family:" + fontStack + ";font-size:13px;line-height:19px;color:#4b5563;"

	sH1       templ.SafeCSS = "margin:16px 0 16px;font-size:24px;line-height:30px;font-weight:700;color:#111827;"
	sH2       templ.SafeCSS = "margin:24px 0 8px;font-size:18px;line-height:24px;font-weight:700;color:#111827;"
	sP        templ.SafeCSS = "margin:0 0 16px;color:#1f2937;"
	sSmall    templ.SafeCSS = "margin:0 0 8px;color:#4b5563;"
	sQuote    templ.SafeCSS = "margin:0 0 16px;padding:12px 16px;border-left:4px solid #9ca3af;background-color:#f3f4f6;color:#1f2937;"
	sCode     templ.SafeCSS = "margin:0 0 16px;padding:12px 16px;display:inline-block;border:2px dashed #6b7280;background-color:#f9fafb;color:#111827;font-family:ui-monospace,Menlo,Consolas,Courier New,monospace;font-size:24px;line-height:32px;font-weight:700;letter-spacing:2px;"
	sBox      templ.SafeCSS = "margin:0 0 16px;padding:12px 16px;background-color:#f3f4f6;color:#1f2937;"
	sList     templ.SafeCSS = "margin:0 0 16px;padding:0 0 0 24px;color:#1f2937;"
	sItem     templ.SafeCSS = "margin:0 0 4px;"
	sFacts    templ.SafeCSS = "margin:0 0 16px;border-collapse:collapse;"
	sFactKey  templ.SafeCSS = "padding:4px 16px 4px 0;vertical-align:top;font-family:" + fontStack + ";font-size:15px;line-height:22px;color:#4b5563;"
	sFactVal  templ.SafeCSS = "padding:4px 0;vertical-align:top;font-family:" + fontStack + ";font-size:15px;line-height:22px;font-weight:600;color:#1f2937;"
	sButtonTd templ.SafeCSS = "border-radius:6px;background-color:#1d4ed8;"
	sButton   templ.SafeCSS = "display:inline-block;padding:12px 22px;border-radius:6px;background-color:#1d4ed8;color:#ffffff;font-family:" + fontStack + ";font-size:16px;line-height:20px;font-weight:600;text-decoration:none;"
	sButtonP  templ.SafeCSS = "margin:8px 0 16px;font-size:13px;line-height:19px;color:#4b5563;"
	sLink     templ.SafeCSS = "color:#1d4ed8;text-decoration:underline;word-break:break-all;"
	sFootP    templ.SafeCSS = "margin:0 0 8px;color:#4b5563;"
)

// darkCSS darkens the email in clients that honour prefers-color-scheme (Apple
// Mail, iOS Mail, some webmails); the others keep the inline light colours.
const darkCSS = `:root{color-scheme:light dark;supported-color-schemes:light dark;}
@media (prefers-color-scheme: dark){
.em-page,.em-outer{background-color:#111827 !important;}
.em-card{background-color:#1f2937 !important;border-color:#374151 !important;}
.em-fg{color:#f3f4f6 !important;}
.em-muted{color:#d1d5db !important;}
.em-box{background-color:#374151 !important;color:#f3f4f6 !important;}
.em-link{color:#93c5fd !important;}
.em-foot{border-color:#374151 !important;}
}`

// preheaderFiller follows the preheader: invisible characters that fill the
// preview line, so clients do not run on into the body's first words.
var preheaderFiller = strings.Repeat("&#847;&zwnj;&nbsp;", 40)
