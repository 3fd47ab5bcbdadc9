package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
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

var (
	courseMu    sync.Mutex
	courseIndex *lessons.Course
	lessonCache = map[string]*lessons.Lesson{}
)

// fetch reads a file of the site, resolved as go-app resolves static
// resources (so a site served under a prefix works).
func fetch(ctx app.Context, path string) ([]byte, error) {
	if app.IsServer {
		// Server-side rendering shows the loading state; the browser fetches.
		return nil, errServerSide
	}
	u := ctx.ResolveStaticResource(path)
	if base := app.Window().URL(); base != nil {
		if ref, err := url.Parse(u); err == nil {
			u = base.ResolveReference(ref).String()
		}
	}
	return fetchURL(u)
}

// loadCourse fetches the lesson index (once). Call it from ctx.Async.
func loadCourse(ctx app.Context) (*lessons.Course, error) {
	courseMu.Lock()
	defer courseMu.Unlock()
	if courseIndex != nil {
		return courseIndex, nil
	}
	b, err := fetch(ctx, CoursePath+"/index.json")
	if err != nil {
		return nil, err
	}
	var c lessons.Course
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("the lesson index is damaged: %v", err)
	}
	courseIndex = &c
	return courseIndex, nil
}

// loadLesson fetches and parses one lesson. Problems in it show as error
// boxes in place, so only a missing lesson is an error. Call it from
// ctx.Async.
func loadLesson(ctx app.Context, lang, slug string) (*lessons.Lesson, error) {
	key := lang + "/" + slug
	courseMu.Lock()
	l, ok := lessonCache[key]
	courseMu.Unlock()
	if ok {
		return l, nil
	}
	src, err := fetch(ctx, CoursePath+"/"+url.PathEscape(lang)+"/"+url.PathEscape(slug)+".md")
	if err != nil {
		return nil, err
	}
	l, _ = lessons.Parse(key+".md", src)
	courseMu.Lock()
	lessonCache[key] = l
	courseMu.Unlock()
	return l, nil
}
