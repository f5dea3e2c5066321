/// Vietnamese money: whole đồng, thousands separated by dots ("15.000 đ", "1.200.000 đ").
public enum Money {
    public static func vnd(_ amount: Int) -> String {
        let digits = String(amount.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(".") }
            out.append(c)
        }
        return (amount < 0 ? "-" : "") + out + " đ"
    }
}
