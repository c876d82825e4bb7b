using System.Text;

namespace Tailmark.Checks.IfEval;

/// <summary>
/// Writes eval_results_{strict,loose}.jsonl byte for byte as the reference does (Python's json.dumps with its
/// default separators and ASCII escaping), so the files can be diffed against the reference's.
/// </summary>
public static class IfEvalResultWriter
{
    public static string Line(IfEvalResult r)
    {
        var sb = new StringBuilder(r.Response.Length + r.Item.Prompt.Length + 256);
        sb.Append("{\"follow_all_instructions\": ").Append(r.FollowedAll ? "true" : "false");
        sb.Append(", \"follow_instruction_list\": [").AppendJoin(", ", r.Followed.Select(f => f ? "true" : "false")).Append(']');
        sb.Append(", \"instruction_id_list\": [");
        for (var i = 0; i < r.Item.InstructionIds.Length; i++)
        {
            if (i > 0) sb.Append(", ");
            PyString(sb, r.Item.InstructionIds[i]);
        }
        sb.Append("], \"prompt\": ");
        PyString(sb, r.Item.Prompt);
        sb.Append(", \"response\": ");
        PyString(sb, r.Response);
        return sb.Append('}').ToString();
    }

    /// <summary>A JSON string as Python's json.dumps(ensure_ascii=True) writes it.</summary>
    public static void PyString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < ' ' || c > '~') sb.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }
}
