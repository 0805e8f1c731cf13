package handlers

import "sync"

// statusPages keeps the rendered status pages of returns, so that a customer who
// opens theirs again, or often, costs one small read of the database and no
// rendering. A page is rendered from the return (its version moves on with every
// change the page can show: database triggers keep it), the settings (their
// revision) and the language, and nothing else; it is served again only while
// all three are what it was rendered with. Every request still proves, before
// the cache is asked, that its session may see the return.
type statusPages struct {
	mu    sync.Mutex
	pages map[statusPageKey]statusPage
}

type statusPageKey struct {
	code, lang string
}

type statusPage struct {
	version, settings int64
	body              []byte
}

// maxStatusPages bounds the cache: about 3 KB a page, so at most some 6 MB.
const maxStatusPages = 2000

func newStatusPages() *statusPages {
	return &statusPages{pages: make(map[statusPageKey]statusPage)}
}

// get returns the page of a return in a language rendered at version with the
// settings of revision settings, if it is kept.
func (c *statusPages) get(code, lang string, version, settings int64) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.pages[statusPageKey{code, lang}]
	if !ok || p.version != version || p.settings != settings {
		return nil, false
	}
	return p.body, true
}

// put keeps a page. When the cache is full, some other page goes: which one
// matters little, since a page costs one rendering to make again.
func (c *statusPages) put(code, lang string, version, settings int64, body []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := statusPageKey{code, lang}
	if _, ok := c.pages[k]; !ok && len(c.pages) >= maxStatusPages {
		for old := range c.pages {
			delete(c.pages, old)
			break
		}
	}
	c.pages[k] = statusPage{version: version, settings: settings, body: body}
}
