import Foundation
import Hummingbird
import HummingbirdTesting
import MotCuaWeb
import Testing

struct CatalogAPITests {
    func codes(_ r: TestResponse) -> [String] {
        ((r.object["items"] as? [[String: Any]]) ?? []).compactMap { $0["code"] as? String }
    }

    @Test func searchFindsProceduresWithAndWithoutDiacritics() async throws {
        try await TestApp.run { client, _, _ in
            for q in ["dang%20ky%20khai%20sinh", "khai%20sinh", "%C4%90%C4%83ng%20k%C3%BD%20khai%20sinh", "KHAI%20SINH"] {
                try await client.execute(uri: "/api/v1/procedures?q=\(q)", method: .get) { r in
                    #expect(r.status == .ok)
                    #expect(codes(r) == ["1.001193"], "q=\(q)")
                }
            }
            try await client.execute(uri: "/api/v1/procedures?q=ly%20lich", method: .get) { r in #expect(codes(r) == ["2.000488"]) }
            try await client.execute(uri: "/api/v1/procedures?q=khong%20co%20gi", method: .get) { r in #expect(codes(r).isEmpty) }
        }
    }

    @Test func filtersByFieldLevelAgencyAndOnlineType() async throws {
        try await TestApp.run { client, _, _ in
            try await client.execute(uri: "/api/v1/procedures?level=province", method: .get) { r in #expect(codes(r) == ["2.000488"]) }
            try await client.execute(uri: "/api/v1/procedures?online=full", method: .get) { r in #expect(codes(r) == ["1.001193"]) }
            try await client.execute(uri: "/api/v1/procedures?field=H%E1%BB%99%20t%E1%BB%8Bch", method: .get) { r in #expect(codes(r) == ["1.001193"]) }
            // A ward performs commune-level procedures; the Sở Tư pháp is named on 2.000488.
            try await client.execute(uri: "/api/v1/procedures?agency=H13.43", method: .get) { r in #expect(codes(r) == ["1.001193"]) }
            try await client.execute(uri: "/api/v1/procedures?agency=H13.01", method: .get) { r in #expect(codes(r) == ["2.000488"]) }
        }
    }

    @Test func procedureDetailAndNotFound() async throws {
        try await TestApp.run { client, _, _ in
            try await client.execute(uri: "/api/v1/procedures/2.000488", method: .get) { r in
                #expect(r.status == .ok)
                let j = r.object
                #expect(j["name"] as? String == "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam")
                #expect(j["version"] as? Int == 1)
            }
            try await client.execute(uri: "/api/v1/procedures/9.999999", method: .get) { r in
                #expect(r.status == .notFound)
                #expect(r.errorCode == "not_found")
            }
            try await client.execute(uri: "/api/v1/procedures/2.000488?version=abc", method: .get) { r in #expect(r.status == .badRequest) }
        }
    }

    @Test func agenciesCarryPredecessorsAndSuccessors() async throws {
        try await TestApp.run { client, _, _ in
            try await client.execute(uri: "/api/v1/agencies", method: .get) { r in
                let items = (r.object["items"] as? [[String: Any]]) ?? []
                let tanAn = items.first { $0["code"] as? String == "H13.43" }
                #expect(tanAn?["predecessors"] as? [String] == ["H13.31.06"])
                let old = items.first { $0["code"] as? String == "H13.31.06" }
                #expect(old?["successors"] as? [String] == ["H13.43"])
                #expect(old?["validTo"] as? String == "2025-06-30")
            }
            try await client.execute(uri: "/api/v1/agencies?on=2024-01-01", method: .get) { r in
                let items = (r.object["items"] as? [[String: Any]]) ?? []
                #expect(!items.contains { $0["code"] as? String == "H13.43" })
            }
            try await client.execute(uri: "/api/v1/agencies?on=2024-13-01", method: .get) { r in #expect(r.status == .badRequest) }
        }
    }
}

struct CalendarAPITests {
    @Test func daysOfAYear() async throws {
        try await TestApp.run { client, _, _ in
            try await client.execute(uri: "/api/v1/calendar/days?year=2030", method: .get) { r in
                #expect(r.status == .ok)
                let days = (r.object["days"] as? [[String: Any]]) ?? []
                #expect(days.count == 365)
                let tet = days.first { $0["date"] as? String == "2030-02-04" }
                #expect(tet?["working"] as? Bool == false)
                #expect((tet?["reason"] as? String)?.contains("Tết") == true)
            }
            for bad in ["", "?year=abc", "?year=1800"] {
                try await client.execute(uri: "/api/v1/calendar/days\(bad)", method: .get) { r in
                    #expect(r.status == .badRequest)
                    #expect(r.errorCode == "invalid_parameter")
                }
            }
        }
    }

    @Test func lunarDates() async throws {
        try await TestApp.run { client, _, _ in
            try await client.execute(uri: "/api/v1/calendar/lunar?date=2026-02-17", method: .get) { r in
                let j = r.object
                #expect(j["day"] as? Int == 1 && j["month"] as? Int == 1 && j["year"] as? Int == 2026 && j["leap"] as? Bool == false)
            }
            try await client.execute(uri: "/api/v1/calendar/lunar?date=2026-02-30", method: .get) { r in #expect(r.status == .badRequest) }
        }
    }

    @Test func dueInstant() async throws {
        try await TestApp.run { client, _, _ in
            try await client.execute(uri: "/api/v1/calendar/due?from=2030-03-04T09:00:00%2B07:00&workingDays=3", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.object["due"] as? String == "2030-03-07T09:00:00+07:00")
            }
            try await client.execute(uri: "/api/v1/calendar/due?from=2030-03-04T02:00:00Z&workingHours=4", method: .get) { r in
                #expect(r.object["due"] as? String == "2030-03-04T15:00:00+07:00")
            }
            for bad in ["?from=yesterday&workingDays=1", "?from=2030-03-04T09:00:00Z", "?from=2030-03-04T09:00:00Z&workingDays=1&workingHours=2",
                        "?from=2030-03-04T09:00:00Z&workingDays=-1"] {
                try await client.execute(uri: "/api/v1/calendar/due\(bad)", method: .get) { r in #expect(r.status == .badRequest, "\(bad)") }
            }
        }
    }
}

struct PageTests {
    @Test func homePageIsVietnamese() async throws {
        try await TestApp.run { client, _, _ in
            try await client.execute(uri: "/", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType]?.hasPrefix("text/html") == true)
                #expect(r.text.contains("<html lang=\"vi\">"))
                #expect(r.text.contains("Thủ tục hành chính một cửa"))
                // The frozen clock is 17/02/2026, mùng 1 Tết Bính Ngọ.
                #expect(r.text.contains("17/02/2026") && r.text.contains("1/1/2026"))
            }
        }
    }

    @Test func procedureSearchAndDetailPages() async throws {
        try await TestApp.run { client, _, _ in
            try await client.execute(uri: "/thu-tuc?q=khai+sinh", method: .get) { r in
                #expect(r.text.contains("Thủ tục đăng ký khai sinh"))
                #expect(!r.text.contains("Phiếu lý lịch"))
            }
            try await client.execute(uri: "/thu-tuc/2.000488", method: .get) { r in
                #expect(r.text.contains("200.000 đ"))
                #expect(r.text.contains("10 ngày làm việc"))
                #expect(r.text.contains("Sở Tư pháp thành phố Cần Thơ"))
            }
            try await client.execute(uri: "/thu-tuc/9.999999", method: .get, headers: [.accept: "text/html"]) { r in
                #expect(r.status == .notFound)
                #expect(r.text.contains("Không tìm thấy trang"))
            }
            try await client.execute(uri: "/lich?year=2030", method: .get) { r in
                #expect(r.text.contains("Giỗ Tổ Hùng Vương"))
            }
        }
    }
}
