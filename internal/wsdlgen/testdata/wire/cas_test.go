// Wire tests for the code generated from the vendor's ws_cas_module.wsdl, run in a scratch
// package by internal/wsdlgen's TestVendorWSDLs. The expected requests and the answers are
// written by hand from the WSDL: every body element in http://ca.tvinci.com/ (the schema is
// elementFormDefault="qualified"), members in sequence order, minOccurs="1" members present
// even when zero.

package caswsdl

import (
	"context"
	"testing"

	"github.com/offboard-go/offboard/internal/soapx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEveryOperationCallsItsAction(t *testing.T) {
	rec := &recorder{}
	checkActions(t, rec, NewModuleSoap(rec))
}

const ns = `http://ca.tvinci.com/`

func TestWire(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		version soapx.Version
		action  string
		call    func(s ModuleSoap) (any, error)
		request string
		answer  string
		want    any
	}{
		{
			name: "HandleUserTask: enum, required zero int, array of pairs in the answer", version: soapx.SOAP11,
			action: "http://ca.tvinci.com/HandleUserTask",
			call: func(s ModuleSoap) (any, error) {
				return s.HandleUserTask(ctx, &HandleUserTask{SWSUserName: "u", SWSPassword: "p", ActionType: ptr(UserTaskTypeDelete)})
			},
			request: `<HandleUserTask xmlns="` + ns + `"><sWSUserName>u</sWSUserName><sWSPassword>p</sWSPassword>` +
				`<domainId>0</domainId><actionType>Delete</actionType></HandleUserTask>`,
			answer: `<HandleUserTaskResponse xmlns="` + ns + `"><HandleUserTaskResult><Code>1003</Code><Message>Domain not found</Message>` +
				`<Args><KeyValuePair><key>domainId</key><value>0</value></KeyValuePair><KeyValuePair><key>x</key></KeyValuePair></Args>` +
				`</HandleUserTaskResult></HandleUserTaskResponse>`,
			want: &HandleUserTaskResponse{HandleUserTaskResult: &Status{Code: 1003, Message: "Domain not found",
				Args: &ArrayOfKeyValuePair{KeyValuePair: []*KeyValuePair{{Key: "domainId", Value: "0"}, {Key: "x"}}}}},
		},
		{
			name: "GetItemsPrices: array of int, required false, nested arrays, double, optional dateTime", version: soapx.SOAP12,
			action: "http://ca.tvinci.com/GetItemsPrices",
			call: func(s ModuleSoap) (any, error) {
				return s.GetItemsPrices(ctx, &GetItemsPrices{NMediaFiles: &ArrayOfInt{Int: []int32{11, 0, -3}}, SUserGUID: "g", SCountryCd2: "FR"})
			},
			request: `<GetItemsPrices xmlns="` + ns + `"><nMediaFiles><int>11</int><int>0</int><int>-3</int></nMediaFiles>` +
				`<sUserGUID>g</sUserGUID><bOnlyLowest>false</bOnlyLowest><sCountryCd2>FR</sCountryCd2></GetItemsPrices>`,
			answer: `<GetItemsPricesResponse xmlns="` + ns + `"><GetItemsPricesResult><MediaFileItemPricesContainer>` +
				`<m_sProductCode>P1</m_sProductCode><m_nMediaFileID>11</m_nMediaFileID><m_oItemPrices><ItemPriceContainer>` +
				`<m_dtEndDate>2025-01-31T23:00:00</m_dtEndDate><m_oFullPrice><m_dPrice>9.99</m_dPrice><m_oCurrency>` +
				`<m_sCurrencyCD2>EU</m_sCurrencyCD2><m_bIsDefault>true</m_bIsDefault><m_nCurrencyID>2</m_nCurrencyID><m_sCurrencyCD3>EUR</m_sCurrencyCD3>` +
				`</m_oCurrency><countryId>7</countryId></m_oFullPrice><m_bCancelWindow>true</m_bCancelWindow><m_bSubscriptionOnly>false</m_bSubscriptionOnly>` +
				`<m_lPurchasedMediaFileID>0</m_lPurchasedMediaFileID><m_lRelatedMediaFileIDs><int>12</int></m_lRelatedMediaFileIDs>` +
				`<m_PriceReason>ForPurchase</m_PriceReason><m_couponStatus>Valid</m_couponStatus>` +
				`</ItemPriceContainer></m_oItemPrices></MediaFileItemPricesContainer></GetItemsPricesResult></GetItemsPricesResponse>`,
			want: &GetItemsPricesResponse{GetItemsPricesResult: &ArrayOfMediaFileItemPricesContainer{MediaFileItemPricesContainer: []*MediaFileItemPricesContainer{{
				M_sProductCode: "P1", M_nMediaFileID: 11,
				M_oItemPrices: &ArrayOfItemPriceContainer{ItemPriceContainer: []*ItemPriceContainer{{
					M_dtEndDate: ptr(dt("2025-01-31T23:00:00Z")),
					M_oFullPrice: &Price{M_dPrice: 9.99, CountryId: 7,
						M_oCurrency: &Currency{M_sCurrencyCD2: "EU", M_bIsDefault: true, M_nCurrencyID: 2, M_sCurrencyCD3: "EUR"}},
					M_bCancelWindow:        true,
					M_lRelatedMediaFileIDs: &ArrayOfInt{Int: []int32{12}},
					M_PriceReason:          ptr(PriceReasonForPurchase),
					M_couponStatus:         ptr(CouponsStatus("Valid")),
				}}},
			}}}},
		},
		{
			name: "ChangeSubscriptionDates: booleans both ways", version: soapx.SOAP11,
			action: "http://ca.tvinci.com/ChangeSubscriptionDates",
			call: func(s ModuleSoap) (any, error) {
				return s.ChangeSubscriptionDates(ctx, &ChangeSubscriptionDates{SSiteGUID: "42", SSubscriptionCode: "S9",
					NSubscriptionPurchaseID: 77, DAdditionInDays: -2, BNewRenewable: true})
			},
			request: `<ChangeSubscriptionDates xmlns="` + ns + `"><sSiteGUID>42</sSiteGUID><sSubscriptionCode>S9</sSubscriptionCode>` +
				`<nSubscriptionPurchaseID>77</nSubscriptionPurchaseID><dAdditionInDays>-2</dAdditionInDays><bNewRenewable>true</bNewRenewable></ChangeSubscriptionDates>`,
			answer: `<ChangeSubscriptionDatesResponse xmlns="` + ns + `"><ChangeSubscriptionDatesResult>true</ChangeSubscriptionDatesResult></ChangeSubscriptionDatesResponse>`,
			want:   &ChangeSubscriptionDatesResponse{ChangeSubscriptionDatesResult: true},
		},
		{
			name: "GetPlaybackContext: an operation named …Context, enums of two schemas, array of long", version: soapx.SOAP12,
			action: "http://ca.tvinci.com/GetPlaybackContext",
			call: func(s ModuleSoap) (any, error) {
				return s.GetPlaybackContext(ctx, &GetPlaybackContext{UserId: "9", Udid: "dev", AssetId: "123", AssetType: ptr(EAssetTypesEPG),
					FileIds: &ArrayOfLong{Long: []int64{5000000000}}, StreamerType: ptr(StreamerTypeMpegdash),
					Context: ptr(PlayContextTypeCatchUp), UrlType: ptr(UrlTypeDirect)})
			},
			request: `<GetPlaybackContext xmlns="` + ns + `"><userId>9</userId><udid>dev</udid><assetId>123</assetId><assetType>EPG</assetType>` +
				`<fileIds><long>5000000000</long></fileIds><streamerType>mpegdash</streamerType><context>CatchUp</context><urlType>direct</urlType></GetPlaybackContext>`,
			answer: `<GetPlaybackContextResponse xmlns="` + ns + `"><GetPlaybackContextResult><AssetId>123</AssetId><Status><Code>0</Code><Message>OK</Message></Status>` +
				`<ConcurrencyData><UDID>dev</UDID><AssetId>123</AssetId><UserId>9</UserId><TimeStamp>1714557600</TimeStamp><CreatedAt>0</CreatedAt>` +
				`<MediaConcurrencyRuleIds><int>1</int><int>2</int></MediaConcurrencyRuleIds><DeviceFamilyId>4</DeviceFamilyId><ProgramId>8000000000</ProgramId>` +
				`<DomainId>3</DomainId></ConcurrencyData></GetPlaybackContextResult></GetPlaybackContextResponse>`,
			want: &GetPlaybackContextResponse{GetPlaybackContextResult: &PlaybackContextResponse{AssetId: 123, Status: &Status{Message: "OK"},
				ConcurrencyData: &DevicePlayData{UDID: "dev", AssetId: 123, UserId: 9, TimeStamp: 1714557600,
					MediaConcurrencyRuleIds: &ArrayOfInt{Int: []int32{1, 2}}, DeviceFamilyId: 4, ProgramId: 8000000000, DomainId: 3}}},
		},
		{
			name: "Record: element and complex type both named RecordResponse; nillable long, dates", version: soapx.SOAP11,
			action: "http://ca.tvinci.com/Record",
			call: func(s ModuleSoap) (any, error) {
				return s.Record(ctx, &Record{UserID: "9", EpgID: 31, RecordingType: ptr(RecordingTypeSeason)})
			},
			request: `<Record xmlns="` + ns + `"><userID>9</userID><epgID>31</epgID><recordingType>Season</recordingType></Record>`,
			answer: `<RecordResponse xmlns="` + ns + `" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><RecordResult><Id>5</Id><EpgId>31</EpgId>` +
				`<ChannelId>2</ChannelId><RecordingStatus>Scheduled</RecordingStatus><EpgStartDate>2024-06-01T20:00:00Z</EpgStartDate>` +
				`<EpgEndDate>2024-06-01T21:30:00.1234567Z</EpgEndDate><Type>Season</Type><GetStatusRetries>0</GetStatusRetries>` +
				`<ProtectedUntilDate i:nil="true"/><ViewableUntilDate>1720000000</ViewableUntilDate><CreateDate>2024-05-01T00:00:00</CreateDate>` +
				`<UpdateDate>2024-05-02T00:00:00+02:00</UpdateDate><isExternalRecording>false</isExternalRecording><IsProtected>true</IsProtected>` +
				`</RecordResult></RecordResponse>`,
			want: &RecordResponse{RecordResult: &Recording{Id: 5, EpgId: 31, ChannelId: 2, RecordingStatus: ptr(TstvRecordingStatusScheduled),
				EpgStartDate: dt("2024-06-01T20:00:00Z"), EpgEndDate: dt("2024-06-01T21:30:00.1234567Z"), Type: ptr(RecordingTypeSeason),
				ViewableUntilDate: ptr(int64(1720000000)), CreateDate: dt("2024-05-01T00:00:00Z"), UpdateDate: dt("2024-05-02T00:00:00+02:00"),
				IsProtected: true}},
		},
		{
			name: "SearchDomainRecordings: array of enums, nested complex member with enums and booleans", version: soapx.SOAP11,
			action: "http://ca.tvinci.com/SearchDomainRecordings",
			call: func(s ModuleSoap) (any, error) {
				return s.SearchDomainRecordings(ctx, &SearchDomainRecordings{UserID: "9", DomainID: 3,
					RecordingStatuses: &ArrayOfTstvRecordingStatus{TstvRecordingStatus: []*TstvRecordingStatus{ptr(TstvRecordingStatusRecorded), ptr(TstvRecordingStatusDeleted)}},
					PageSize:          50, OrderBy: &OrderObj{M_eOrderBy: ptr(OrderBySTART_DATE), M_eOrderDir: ptr(OrderDirDESC), ShouldPadString: true}, ShouldIgnorePaging: true})
			},
			request: `<SearchDomainRecordings xmlns="` + ns + `"><userID>9</userID><domainID>3</domainID><recordingStatuses>` +
				`<TstvRecordingStatus>Recorded</TstvRecordingStatus><TstvRecordingStatus>Deleted</TstvRecordingStatus></recordingStatuses>` +
				`<pageIndex>0</pageIndex><pageSize>50</pageSize><orderBy><m_eOrderBy>START_DATE</m_eOrderBy><m_eOrderDir>DESC</m_eOrderDir>` +
				`<lu_min_period_id>0</lu_min_period_id><m_bIsSlidingWindowField>false</m_bIsSlidingWindowField>` +
				`<isSlidingWindowFromRestApi>false</isSlidingWindowFromRestApi><shouldPadString>true</shouldPadString></orderBy>` +
				`<shouldIgnorePaging>true</shouldIgnorePaging></SearchDomainRecordings>`,
			answer: `<SearchDomainRecordingsResponse xmlns="` + ns + `"><SearchDomainRecordingsResult><Recordings><Recording><Id>1</Id>` +
				`<RecordingStatus>Recorded</RecordingStatus></Recording><Recording><Id>2</Id></Recording></Recordings><TotalItems>2</TotalItems>` +
				`</SearchDomainRecordingsResult></SearchDomainRecordingsResponse>`,
			want: &SearchDomainRecordingsResponse{SearchDomainRecordingsResult: &RecordingResponse{TotalItems: 2,
				Recordings: &ArrayOfRecording{Recording: []*Recording{{Id: 1, RecordingStatus: ptr(TstvRecordingStatusRecorded)}, {Id: 2}}}}},
		},
		{
			name: "GetEPGLicensedLink: required dateTime; status and Status members", version: soapx.SOAP12,
			action: "http://ca.tvinci.com/GetEPGLicensedLink",
			call: func(s ModuleSoap) (any, error) {
				return s.GetEPGLicensedLink(ctx, &GetEPGLicensedLink{SSiteGUID: "9", NMediaFileID: 4, NEPGItemID: 8,
					StartTime: dt("2024-06-01T20:00:00.25Z"), SBasicLink: "http://cdn/x", NFormatType: 1})
			},
			request: `<GetEPGLicensedLink xmlns="` + ns + `"><sSiteGUID>9</sSiteGUID><nMediaFileID>4</nMediaFileID><nEPGItemID>8</nEPGItemID>` +
				`<startTime>2024-06-01T20:00:00.250Z</startTime><sBasicLink>http://cdn/x</sBasicLink><nFormatType>1</nFormatType></GetEPGLicensedLink>`,
			answer: `<GetEPGLicensedLinkResponse xmlns="` + ns + `"><GetEPGLicensedLinkResult><mainUrl>http://cdn/x?t=1</mainUrl>` +
				`<status>OK</status><Status><Code>0</Code></Status></GetEPGLicensedLinkResult></GetEPGLicensedLinkResponse>`,
			want: &GetEPGLicensedLinkResponse{GetEPGLicensedLinkResult: &LicensedLinkResponse{MainUrl: "http://cdn/x?t=1", Status: "OK", Status2: &Status{}}},
		},
		{
			name: "GrantEntitlements: enum and required booleans", version: soapx.SOAP11,
			action: "http://ca.tvinci.com/GrantEntitlements",
			call: func(s ModuleSoap) (any, error) {
				return s.GrantEntitlements(ctx, &GrantEntitlements{Siteguid: "9", HousholdId: 3, ContentId: 0, ProductId: 12,
					TransactionType: ptr(ETransactionTypeSubscription), History: false})
			},
			request: `<GrantEntitlements xmlns="` + ns + `"><siteguid>9</siteguid><housholdId>3</housholdId><contentId>0</contentId>` +
				`<productId>12</productId><transactionType>Subscription</transactionType><history>false</history></GrantEntitlements>`,
			answer: `<GrantEntitlementsResponse xmlns="` + ns + `"><GrantEntitlementsResult><Code>0</Code><Message>OK</Message></GrantEntitlementsResult></GrantEntitlementsResponse>`,
			want:   &GrantEntitlementsResponse{GrantEntitlementsResult: &Status{Message: "OK"}},
		},
		{
			name: "GetDomainQuota: long in, ints out", version: soapx.SOAP12,
			action: "http://ca.tvinci.com/GetDomainQuota",
			call: func(s ModuleSoap) (any, error) {
				return s.GetDomainQuota(ctx, &GetDomainQuota{UserID: "9", DomainID: 9007199254740993})
			},
			request: `<GetDomainQuota xmlns="` + ns + `"><userID>9</userID><domainID>9007199254740993</domainID></GetDomainQuota>`,
			answer: `<GetDomainQuotaResponse xmlns="` + ns + `"><GetDomainQuotaResult><AvailableQuota>120</AvailableQuota><TotalQuota>600</TotalQuota>` +
				`</GetDomainQuotaResult></GetDomainQuotaResponse>`,
			want: &GetDomainQuotaResponse{GetDomainQuotaResult: &DomainQuotaResponse{AvailableQuota: 120, TotalQuota: 600}},
		},
		{
			name: "IsPermittedItem: boolean answer", version: soapx.SOAP11,
			action: "http://ca.tvinci.com/IsPermittedItem",
			call: func(s ModuleSoap) (any, error) {
				return s.IsPermittedItem(ctx, &IsPermittedItem{SSiteGUID: "9", MediaID: 100})
			},
			request: `<IsPermittedItem xmlns="` + ns + `"><sSiteGUID>9</sSiteGUID><mediaID>100</mediaID></IsPermittedItem>`,
			answer:  `<IsPermittedItemResponse xmlns="` + ns + `"><IsPermittedItemResult>true</IsPermittedItemResult></IsPermittedItemResponse>`,
			want:    &IsPermittedItemResponse{IsPermittedItemResult: true},
		},
		{
			name: "GetDomainTransactionsHistory: two required dates and an enum", version: soapx.SOAP12,
			action: "http://ca.tvinci.com/GetDomainTransactionsHistory",
			call: func(s ModuleSoap) (any, error) {
				return s.GetDomainTransactionsHistory(ctx, &GetDomainTransactionsHistory{DomainID: 3, DStartDate: dt("2024-01-01T00:00:00Z"),
					DEndDate: dt("2024-12-31T23:59:59.999Z"), PageSize: 10, OrderBy: ptr(TransactionHistoryOrderByCreateDateDesc)})
			},
			request: `<GetDomainTransactionsHistory xmlns="` + ns + `"><domainID>3</domainID><dStartDate>2024-01-01T00:00:00.000Z</dStartDate>` +
				`<dEndDate>2024-12-31T23:59:59.999Z</dEndDate><pageSize>10</pageSize><pageIndex>0</pageIndex><orderBy>CreateDateDesc</orderBy></GetDomainTransactionsHistory>`,
			answer: `<GetDomainTransactionsHistoryResponse xmlns="` + ns + `"><GetDomainTransactionsHistoryResult><Status><Code>0</Code></Status>` +
				`<TransactionsCount>0</TransactionsCount><TransactionsHistory/></GetDomainTransactionsHistoryResult></GetDomainTransactionsHistoryResponse>`,
			want: &GetDomainTransactionsHistoryResponse{GetDomainTransactionsHistoryResult: &DomainTransactionsHistoryResponse{Status: &Status{},
				TransactionsHistory: &ArrayOfTransactionHistoryContainer{}}},
		},
		{
			name: "GetLicensedLink: optional strings left out, string answer", version: soapx.SOAP11,
			action: "http://ca.tvinci.com/GetLicensedLink",
			call: func(s ModuleSoap) (any, error) {
				return s.GetLicensedLink(ctx, &GetLicensedLink{SSiteGUID: "9", NMediaFileID: 4, SUserIP: "10.0.0.1", SDeviceName: "tv <1> & co"})
			},
			request: `<GetLicensedLink xmlns="` + ns + `"><sSiteGUID>9</sSiteGUID><nMediaFileID>4</nMediaFileID><sUserIP>10.0.0.1</sUserIP>` +
				`<sDeviceName>tv &lt;1&gt; &amp; co</sDeviceName></GetLicensedLink>`,
			answer: `<GetLicensedLinkResponse xmlns="` + ns + `"><GetLicensedLinkResult>http://cdn/a?b=1&amp;c=2</GetLicensedLinkResult></GetLicensedLinkResponse>`,
			want:   &GetLicensedLinkResponse{GetLicensedLinkResult: "http://cdn/a?b=1&c=2"},
		},
	}
	require.GreaterOrEqual(t, len(tests), 12)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWire(t, tc.version, tc.answer)
			got, err := tc.call(NewModuleSoap(w.client))
			require.NoError(t, err)
			w.checkRequest(t, tc.action, tc.request)
			assert.Equal(t, tc.want, withoutXMLNames(got))
		})
	}
}
