package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"coordlab/lessons"
)

// The course is not compiled into app.wasm (DESIGN section 6): the app
// fetches the lesson index and each lesson's markdown from the site it was
// served from, under web/course/, and parses the markdown here with the
// same lessons package the CLI uses. So one app.wasm serves any course.

// CoursePath is where a site serves its course: CoursePath+"/index.json"
// (a lessons.Course) and CoursePath+"/LANG/SLUG.md".
const CoursePath = "/web/course"

var errServerSide = errors.New("the course is fetched in the browser")

// loaded is one file of the course, fetched and parsed once by whoever
// asks first; the others wait for it. A failed load is forgotten, so that
// the next visit tries again.
type loaded[T any] struct {
	done chan struct{}
	v    T
	err  error
}

var (
	courseMu    sync.Mutex
	courseIndex = map[string]*loaded[*lessons.Course]{} // one entry, ""
	lessonCache = map[string]*loaded[*lessons.Lesson]{} // by LANG/SLUG
)

// load returns m[key], loading it first unless a load is done or under way.
func load[T any](m map[string]*loaded[T], key string, fetchAndParse func() (T, error)) (T, error) {
	courseMu.Lock()
	l, ok := m[key]
	if ok {
		courseMu.Unlock()
		<-l.done
		return l.v, l.err
	}
	l = &loaded[T]{done: make(chan struct{})}
	m[key] = l
	courseMu.Unlock()
	l.v, l.err = fetchAndParse()
	if l.err != nil {
		courseMu.Lock()
		delete(m, key)
		courseMu.Unlock()
	}
	close(l.done)
	return l.v, l.err
}

// prefetched holds the fetches Prefetch started, by path, until a load
// takes them.
var prefetched = map[string]app.Value{}

// fetch reads a file of the site. Call it off the UI goroutine.
func fetch(path string) ([]byte, error) {
	if app.IsServer {
		// Server-side rendering shows the loading state; the browser fetches.
		return nil, errServerSide
	}
	courseMu.Lock()
	started, ok := prefetched[path]
	delete(prefetched, path)
	courseMu.Unlock()
	if ok {
		return awaitFetch(siteURL(path), started)
	}
	return fetchURL(siteURL(path))
}

// siteURL resolves a path of the site as go-app resolves static resources,
// so that a site served under a prefix works.
func siteURL(path string) string {
	u := app.Getenv("GOAPP_STATIC_RESOURCES_URL") + "/" + strings.TrimPrefix(strings.Trim(path, "/"), "web/")
	if base := app.Window().URL(); base != nil {
		if ref, err := url.Parse(u); err == nil {
			u = base.ResolveReference(ref).String()
		}
	}
	return u
}

// Prefetch asks the browser for what the page it opened shows first: the
// lesson index and, on /lesson/LANG/SLUG, the lesson. Called before go-app
// starts, it lets the network work while the app mounts (Go does not run
// a goroutine before then: WebAssembly has one thread); the loads then take
// the responses.
func Prefetch() {
	if app.IsServer {
		return
	}
	paths := []string{CoursePath + "/index.json"}
	if u := app.Window().URL(); u != nil {
		if lang, slug, ok := parseLessonPath(u.Path); ok {
			paths = append(paths, lessonPath(lang, slug))
		}
	}
	courseMu.Lock()
	defer courseMu.Unlock()
	for _, p := range paths {
		prefetched[p] = app.Window().Call("fetch", siteURL(p))
	}
}

func lessonPath(lang, slug string) string {
	return CoursePath + "/" + url.PathEscape(lang) + "/" + url.PathEscape(slug) + ".md"
}

// loadCourse fetches the lesson index (once). Call it off the UI goroutine.
func loadCourse() (*lessons.Course, error) {
	return load(courseIndex, "", func() (*lessons.Course, error) {
		b, err := fetch(CoursePath + "/index.json")
		if err != nil {
			return nil, err
		}
		var c lessons.Course
		if err := json.Unmarshal(b, &c); err != nil {
			return nil, fmt.Errorf("the lesson index is damaged: %v", err)
		}
		return &c, nil
	})
}

// loadLesson fetches and parses one lesson (once). Problems in it show as
// error boxes in place, so only a missing lesson is an error. Call it off
// the UI goroutine.
func loadLesson(lang, slug string) (*lessons.Lesson, error) {
	key := lang + "/" + slug
	return load(lessonCache, key, func() (*lessons.Lesson, error) {
		src, err := fetch(lessonPath(lang, slug))
		if err != nil {
			return nil, err
		}
		l, _ := lessons.Parse(key+".md", src)
		return l, nil
	})
}
