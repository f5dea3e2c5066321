import Foundation
import MotCuaCore
import Testing

struct CatalogTests {
    static func procedure(_ json: String) throws -> Procedure {
        try JSONDecoder().decode(Procedure.self, from: Data(json.utf8))
    }

    static let birth = """
    {"code":"1.001193","name":"Đăng ký khai sinh","field":"Hộ tịch","level":"commune","agencyKinds":["commune"],
     "onlineType":"full","targetGroups":["citizen"],
     "channels":[{"channel":"counter","limit":{"amount":1,"unit":"workingDays"},"fees":[]},
                 {"channel":"online","limit":{"amount":1,"unit":"workingDays"},"fees":[]}],
     "cases":[{"code":"TH1","name":"Đúng hạn","noDueDate":false,
               "limits":[{"channel":"counter","amount":1,"unit":"workingDays"},{"channel":"online","amount":1,"unit":"workingDays"}],
               "components":[{"name":"Tờ khai","template":null,"copies":1,"required":true}],
               "workflow":[{"name":"Tiếp nhận","role":"reception","hours":2},{"name":"Xử lý","role":"specialist","hours":6}]}],
     "result":{"name":"Giấy khai sinh","electronic":true,"mustSign":true},"legalBasis":["Luật Hộ tịch 2014"]}
    """

    @Test func validProcedureHasNoProblems() throws {
        let p = try Self.procedure(Self.birth)
        #expect(p.version == 1)
        #expect(CatalogValidation.problems(procedures: [p], agencyCodes: []).isEmpty)
    }

    @Test func problemsNameTheRecordAndField() throws {
        var p = try Self.procedure(Self.birth)
        p.code = "1001193"
        p.cases[0].workflow[1].hours = 5
        p.onlineType = .none
        let problems = CatalogValidation.problems(procedures: [p], agencyCodes: [])
        #expect(problems.contains { $0.field == "code" })
        #expect(problems.contains { $0.field == "cases[0].workflow" && $0.reason.contains("7 giờ") })
        #expect(problems.contains { $0.field == "channels" })
        #expect(problems.allSatisfy { $0.record.hasPrefix("procedures[0]") })
    }

    @Test func searchFoldingIgnoresDiacritics() {
        #expect(TextFolding.fold("Đăng ký  khai sinh") == "dang ky khai sinh")
        #expect(TextFolding.fold("Cấp Phiếu lý lịch tư pháp") == TextFolding.fold("cap phieu ly lich tu phap"))
        #expect(TextFolding.words(" Khai   SINH ") == ["khai", "sinh"])
    }

    @Test func agencyScopeCoversPredecessorsAndUnitsBelow() {
        let d = { (s: String) in CivilDate(iso: s)! }
        let agencies = [
            Agency(code: "H14", name: "TP Cần Thơ", kind: .province, level: .province, parent: nil, validFrom: d("2004-01-01")),
            Agency(code: "H14.01", name: "Quận Ninh Kiều", kind: .district, level: .district, parent: "H14", validFrom: d("2004-01-01"), validTo: d("2025-06-30")),
            Agency(code: "H14.01.01", name: "Phường Tân An (cũ)", kind: .commune, level: .commune, parent: "H14.01", validFrom: d("2004-01-01"), validTo: d("2025-06-30")),
            Agency(code: "H14.50", name: "Phường Ninh Kiều", kind: .commune, level: .commune, parent: "H14", validFrom: d("2025-07-01")),
        ]
        let history = AgencyHistory(agencies: agencies, reorganisations: [
            Reorganisation(kind: .merge, effective: d("2025-07-01"), from: ["H14.01.01"], to: ["H14.50"]),
        ])
        #expect(history.predecessors(of: "H14.50") == ["H14.01.01"])
        #expect(history.successors(of: "H14.01.01") == ["H14.50"])
        #expect(history.scope(of: "H14.50", from: d("2024-01-01"), to: d("2026-12-31")) == ["H14.50", "H14.01.01"])
        #expect(history.scope(of: "H14.50", from: d("2026-01-01"), to: d("2026-12-31")) == ["H14.50"])
        #expect(history.scope(of: "H14", from: d("2024-01-01"), to: d("2024-12-31")) == ["H14", "H14.01", "H14.01.01"])
    }
}
