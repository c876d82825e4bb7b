namespace Tailmark.Rubrics;

/// <summary>Parses the option strings of <see cref="CannotAssessPolicy"/>.</summary>
public static class CannotAssessPolicies
{
    public static bool TryParse(string text, out CannotAssessPolicy policy)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "skip": policy = CannotAssessPolicy.Skip; return true;
            case "zero": policy = CannotAssessPolicy.Zero; return true;
            case "fail": policy = CannotAssessPolicy.Fail; return true;
            default: policy = default; return false;
        }
    }

    public static string Name(CannotAssessPolicy policy) => policy.ToString().ToLowerInvariant();
}
