using System.Linq;
using CnnGen.Generator.Model;
using CnnGen.Generator.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace CnnGen.Generator.Diagnostics
{
    /// <summary>Turns a <see cref="Problem"/> into a diagnostic at the attribute, argument or class name it points at.</summary>
    internal static class ProblemLocations
    {
        public static Diagnostic ToDiagnostic(Problem problem, ReadResult read)
        {
            var fixes = problem.Fixes.Select(f => new FixProtocol.Entry(f.Property, f.Value, f.Output, f.Removes));
            return Diagnostic.Create(DiagnosticDescriptors.ForId(problem.Id), LocationOf(problem, read), FixProtocol.Encode(fixes), problem.Message);
        }

        private static Location LocationOf(Problem problem, ReadResult read)
        {
            if (problem.Layer == Problem.ClassName)
            {
                return read.ClassLocation;
            }

            int index = problem.Layer + 1; // the [Input] attribute comes first
            if (index < 0 || index >= read.Attributes.Count || read.Attributes[index] is not { } syntax)
            {
                return read.ClassLocation;
            }

            SeparatedSyntaxList<AttributeArgumentSyntax> arguments = syntax.ArgumentList?.Arguments ?? default;
            AttributeArgumentSyntax? argument = null;
            ArgumentRef target = problem.Target;
            if (target.Property is { } property)
            {
                argument = arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == property);
            }
            else if (target.Position >= 0)
            {
                string[] names = NetworkReader.ParametersOf(read.Kinds[index]);
                string? parameter = target.Position < names.Length ? names[target.Position] : null;
                // By name ("size: 3") only when the position has a parameter of its own (a params array's later elements do not).
                argument = parameter is null ? null : arguments.FirstOrDefault(a => a.NameColon?.Name.Identifier.ValueText == parameter);
                if (argument is null)
                {
                    var positional = arguments.Where(a => a.NameEquals is null && a.NameColon is null).ToList();
                    argument = target.Position < positional.Count ? positional[target.Position] : null;
                }
            }

            return (argument ?? (SyntaxNode)syntax).GetLocation();
        }
    }
}
