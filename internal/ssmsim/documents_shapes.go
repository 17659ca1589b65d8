package ssmsim

import (
	"sort"
	"strconv"
)

// The DocumentDescription shape that CreateDocument, UpdateDocument and
// DescribeDocument answer with.

type documentParameterOut struct {
	Name         string  `json:"Name"`
	Type         string  `json:"Type"`
	Description  string  `json:"Description,omitempty"`
	DefaultValue *string `json:"DefaultValue,omitempty"`
}

type documentDescription struct {
	Name            string                 `json:"Name"`
	Hash            string                 `json:"Hash"`
	HashType        string                 `json:"HashType"`
	Owner           string                 `json:"Owner"`
	CreatedDate     float64                `json:"CreatedDate"`
	Status          string                 `json:"Status"`
	DocumentVersion string                 `json:"DocumentVersion"`
	Description     string                 `json:"Description,omitempty"`
	Parameters      []documentParameterOut `json:"Parameters,omitempty"`
	PlatformTypes   []string               `json:"PlatformTypes"`
	DocumentType    string                 `json:"DocumentType"`
	SchemaVersion   string                 `json:"SchemaVersion"`
	LatestVersion   string                 `json:"LatestVersion"`
	DefaultVersion  string                 `json:"DefaultVersion"`
	DocumentFormat  string                 `json:"DocumentFormat"`
	Tags            []tagSpec              `json:"Tags"`
}

func (r *region) describe(d *document, n int) documentDescription {
	v := d.Versions[n-1]
	owner := r.account.id
	if d.Builtin {
		owner = "Amazon"
	}
	out := documentDescription{
		Name: d.Name, Hash: v.Hash, HashType: "Sha256", Owner: owner, CreatedDate: epoch(v.Created),
		Status: "Active", DocumentVersion: strconv.Itoa(n), Description: v.Parsed.Description,
		PlatformTypes: v.Parsed.PlatformTypes(), DocumentType: d.Type, SchemaVersion: v.Parsed.SchemaVersion,
		LatestVersion: strconv.Itoa(d.latest()), DefaultVersion: strconv.Itoa(d.Default), DocumentFormat: v.Format,
		Tags: tagList(r.tagsOf("Document", d.Name)),
	}
	for _, p := range v.Parsed.Params {
		out.Parameters = append(out.Parameters, documentParameterOut{Name: p.Name, Type: p.Type, Description: p.Description, DefaultValue: p.Default})
	}
	return out
}

func tagList(m map[string]string) []tagSpec {
	out := make([]tagSpec, 0, len(m))
	for k, v := range m {
		out = append(out, tagSpec{Key: k, Value: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}
