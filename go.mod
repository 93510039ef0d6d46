module github.com/offboard-go/offboard

go 1.24

require (
	github.com/hooklift/gowsdl v0.5.0
	github.com/jarcoal/httpmock v1.4.2
	github.com/stretchr/testify v1.12.1
)

require go.yaml.in/yaml/v3 v3.0.5 // indirect
