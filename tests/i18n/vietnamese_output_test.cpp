// What a Vietnamese official reads: the formatters of tools/loa with the compiled po/vi.po, exactly.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include "tools/loa/i18n/audit_words.hpp"
#include "tools/loa/i18n/gateway_words.hpp"
#include "tools/loa/i18n/plain_words.hpp"
#include "tools/loa/i18n/translate.hpp"
#include "tools/loa/preview.hpp"
#include "tools/loa/progress.hpp"
#include "tools/loa/report_render.hpp"

using namespace loa::cli;
namespace json = boost::json;

namespace {

// Vietnamese for the life of one test case, English again after it (the other suites read English).
struct in_vietnamese {
  in_vietnamese() {
    std::string error;
    auto c = i18n::mo_catalogue::load(i18n::catalogue_file(LOA_TEST_LOCALE_DIR, "vi"), error);
    REQUIRE_MESSAGE(c, error);
    i18n::use(i18n::language::vietnamese, std::move(*c));
  }
  ~in_vietnamese() { i18n::use_english(); }
};

}  // namespace

TEST_CASE("vietnamese: carrier failure codes become plain reasons, the code kept after them") {
  in_vietnamese vi;
  CHECK(i18n::failure_reason("UNDELIV err:001") ==
        "không gửi được đến máy: số không tồn tại hoặc tắt máy quá lâu (UNDELIV err:001)");
  CHECK(i18n::failure_reason("UNDELIV err:027") ==
        "không gửi được đến máy: máy tắt hoặc ở ngoài vùng phủ sóng (UNDELIV err:027)");
  CHECK(i18n::failure_reason("UNDELIV err:555") ==
        "không gửi được đến máy: mã lỗi 555 của nhà mạng (UNDELIV err:555)");
  CHECK(i18n::failure_reason("EXPIRED") ==
        "hết hạn: nhà mạng không liên lạc được với máy trong suốt thời gian thử gửi (EXPIRED)");
  CHECK(i18n::failure_reason("0x0000000B invalid destination address") ==
        "nhà mạng từ chối số nhận (0x0000000B invalid destination address)");
  CHECK(i18n::failure_reason("0x000000FF vendor") == "nhà mạng từ chối (0x000000FF vendor)");
  CHECK(i18n::failure_reason("(no reason given)") == "(không rõ lý do)");
  CHECK(i18n::failure_reason("something new") == "something new");
  CHECK(i18n::encoding_words("ucs2", 3) == "có dấu: 67 ký tự mỗi tin");
  CHECK(i18n::encoding_words("gsm7", 1) == "không dấu: 160 ký tự mỗi tin");
}

TEST_CASE("vietnamese: the progress bar, the log line, the summary and the verdict") {
  in_vietnamese vi;
  const auto c = progress::read_counts(json::parse(R"({"id": "17", "state": "running", "fanout_done": true,
      "recipients": 10000, "queued": 4770, "submitted": 5230, "pending": 318, "delivered": 4900, "failed": 12,
      "uncertain": 3, "parts": 15690, "by_carrier": {"viettel": {"submitted": 5230, "delivered": 4900,
      "failed": 12, "uncertain": 3, "pending": 318}}})"));
  CHECK(progress::bar_line(c, 1820.4) ==
        "[#####+......]  5.230/10.000  đã nhận 4.900  thất bại 12  1.820/giây");  // the rest does not fit
  progress::log_lines lines(progress::clock::time_point{});
  CHECK(lines.next(c, progress::clock::time_point{} + std::chrono::seconds(17)) ==
        "[00:17] đợt gửi 17 đang gửi: đã gửi 5.230/10.000, đã nhận 4.900, thất bại 12, chưa rõ 3, chờ báo "
        "nhận 318");
  CHECK(progress::summary(c) ==
        "đợt gửi 17: đang gửi\n"
        "người nhận    10.000\n"
        "chờ gửi        4.770\n"
        "đã gửi         5.230\n"
        "đã nhận        4.900  (49,0%)\n"
        "thất bại          12\n"
        "hết hạn            0\n"
        "chưa rõ            3  (nhà mạng chưa trả lời đã nhận tin hay chưa)\n"
        "chờ báo nhận     318\n"
        "số tin SMS    15.690\n"
        "\n"
        "nhà mạng  đã gửi  đã nhận  thất bại  chưa rõ  chờ báo nhận\n"
        "viettel    5.230    4.900        12        3           318\n");
  auto done = c;
  done.state = "done";
  done.pending = 0;
  done.queued = 0;
  done.delivered = 9985;
  CHECK(progress::judge(done).message ==
        "9.985 trên 10.000 người đã nhận; 15 người chưa nhận được (thất bại 12, chưa rõ 3)");
  CHECK(progress::state_words("awaiting_approval") == "chờ duyệt");
  CHECK(progress::due_words("2026-11-23T07:30:00+07:00") == "07:30 ngày 23/11/2026");
}

TEST_CASE("vietnamese: the dry-run preview and the confirmation question") {
  in_vietnamese vi;
  const auto doc = json::parse(R"({
    "dry_run": true, "wards": ["long-thuy"], "groups": ["ho-gia-dinh"],
    "text": "Lịch tiêm chủng", "chars": 15, "encoding": "ucs2", "parts_per_message": 1,
    "recipients": 2541, "skipped_optout": 1, "parts": 2541,
    "by_carrier": {"viettel": {"recipients": 2541, "parts": 2541, "price_per_part": 250, "cost": 635250}},
    "cost": 635250, "currency": "VND", "confirm_above": 1000, "state": "scheduled",
    "due_at": "2026-11-23T07:30:00+07:00"})");
  CHECK(preview::describe(doc) ==
        "Chạy thử: chưa gửi tin nào.\n"
        "Nội dung hiện trên điện thoại (có dấu: 70 ký tự mỗi tin; 15 ký tự, 1 tin cho mỗi người):\n"
        "  Lịch tiêm chủng\n"
        "Người nhận: 2.541 ở long-thuy (nhóm: ho-gia-dinh); 1 người đã từ chối nhận tin, không gửi\n"
        "Theo nhà mạng:\n"
        "  viettel  2.541 người nhận  2.541 tin  x 250 = 635.250 VND\n"
        "Chi phí: 635.250 VND cho 2.541 tin SMS\n"
        "Sẽ bắt đầu gửi lúc 07:30 ngày 23/11/2026.\n"
        "Hơn 1.000 người nhận: nếu không có --yes, loa send sẽ yêu cầu gõ tên phường trước khi gửi.\n");
  CHECK(
      preview::question({"long-thuy"}, 2541) ==
      "Tin này sẽ gửi đến 2.541 số điện thoại. Gõ tên phường (long-thuy) để gửi, gõ nội dung khác để dừng: ");
  CHECK(preview::money(12.5) == "12,50");
}

TEST_CASE("vietnamese: the text report, its failure reasons in plain words") {
  in_vietnamese vi;
  const auto doc = json::parse(R"({"campaign": {"id": "12", "state": "done", "text": "Hop to dan pho",
      "recipients": 2541, "delivered": 2530, "failed": 11},
      "generated_at": "2026-11-23T08:00:00+07:00", "by_carrier": {}, "by_group": {},
      "failure_reasons": [{"reason": "UNDELIV err:001", "count": 11}],
      "delivery_seconds": {"count": 2530, "p50": 2.5, "p90": 4, "p99": 9.25, "max": 31}})");
  const auto out = report::text(doc);
  CHECK(out.find("Đợt gửi 12, đã gửi xong; báo cáo lập lúc 08:00 ngày 23/11/2026\n") == 0);
  CHECK(out.find("2.541 người nhận: 2.530 đã nhận, 11 thất bại") != std::string::npos);
  CHECK(
      out.find("Lý do thất bại\n          11  không gửi được đến máy: số không tồn tại hoặc tắt máy quá lâu "
               "(UNDELIV err:001)\n") != std::string::npos);
  CHECK(out.find(
            "  2.530 người đã nhận: một nửa trong 2,5 giây, 90% trong 4,0 giây, 99% trong 9,2 giây, lâu nhất "
            "31,0 giây\n") != std::string::npos);
  CHECK(report::csv_header() == "phone,carrier,state,parts,reason,groups,submitted_at,settled_at\r\n");
}

TEST_CASE("vietnamese: the gateway's and the templates' sentences, translated whole or not at all") {
  {
    in_vietnamese vi;
    CHECK(
        gateway_words("groups: ward long-thuy has no group 'to-9'; nothing was sent: did you mean 'to-5'") ==
        "groups: phường long-thuy không có nhóm 'to-9'; chưa gửi gì: có phải ý là 'to-5'");
    CHECK(gateway_words("{ngay}: thứ Năm, 19/11/2026 is already past (today is thứ Bảy, 05/12/2026)") ==
          "{ngay}: thứ Năm, 19/11/2026 đã qua (hôm nay là thứ Bảy, 05/12/2026)");
    CHECK(gateway_words("{gio}: '25:00' is not a time of day (hours 0-23, minutes 0-59)") ==
          "{gio}: '25:00' không phải là giờ trong ngày (giờ từ 0 đến 23, phút từ 0 đến 59)");
    CHECK(gateway_words("landline (02...), not a mobile number") ==
          "số máy bàn (02...), không phải số di động");
    CHECK(gateway_words("operator hoa has role sender; this needs approver") ==
          "cán bộ hoa có vai trò người gửi; việc này cần vai trò người duyệt");
    CHECK(gateway_words(
              "groups: ward long-thuy has no group 'to'; nothing was sent: did you mean 'to-3' or 'to-5'") ==
          "groups: phường long-thuy không có nhóm 'to'; chưa gửi gì: có phải ý là 'to-3' hoặc 'to-5'");
    // A sentence the catalogue does not know, even after a known start, stays English whole.
    CHECK(gateway_words("groups: ward x has no group 'y'; nothing was sent, and something new") ==
          "groups: ward x has no group 'y'; nothing was sent, and something new");
    CHECK(gateway_words("") == "");
  }
  CHECK(gateway_words("landline (02...), not a mobile number") == "landline (02...), not a mobile number");
}

TEST_CASE("vietnamese: the audit trail's actions and details, values kept as recorded") {
  {
    in_vietnamese vi;
    CHECK(audit_action_words("subscriber_add") == "thêm người nhận");
    CHECK(audit_action_words("group_rename") == "đổi tên nhóm");
    CHECK(audit_action_words("approver") == "người duyệt");
    CHECK(audit_action_words("something_new") == "something_new");
    CHECK(audit_detail_words("groups nguoi-cao-tuoi, to-3; running; key vaccination-2026-11-23") ==
          "nhóm nguoi-cao-tuoi, to-3; đang gửi; khóa vaccination-2026-11-23");
    CHECK(audit_detail_words("groups ho-gia-dinh; awaiting_approval; urgent; at 2026-11-23 07:30 +07:00") ==
          "nhóm ho-gia-dinh; chờ duyệt; khẩn; gửi lúc 2026-11-23 07:30 +07:00");
    CHECK(audit_detail_words("sent by hoa; now running") == "người gửi: hoa; nay đang gửi");
    CHECK(audit_detail_words("was running; 2455 never sent") == "trước đó đang gửi; 2455 người nhận chưa được gửi");
    CHECK(audit_detail_words("imported 10000, updated 0, invalid 2, import import:17-9") ==
          "nhập mới 10000, cập nhật 0, không hợp lệ 2, mã lần nhập import:17-9");
    CHECK(audit_detail_words("group to-3: display name Tổ 3") == "nhóm to-3: tên hiển thị Tổ 3");
    // A phone number, or words of a newer gateway, stay as they were recorded; the known parts beside them
    // are still translated.
    CHECK(audit_detail_words("84961000000") == "84961000000");
    CHECK(audit_detail_words("groups to-3; something new") == "nhóm to-3; something new");
    CHECK(audit_detail_words("") == "");
  }
  CHECK(audit_detail_words("sent by hoa; now running") == "sent by hoa; now running");
  CHECK(audit_action_words("subscriber_add") == "add subscriber");
}
