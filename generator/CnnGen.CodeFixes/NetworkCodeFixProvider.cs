using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace CnnGen.CodeFixes
{
    /// <summary>
    /// Fixes for CnnGen's shape errors, from the choices the analyzer computed (diagnostic properties
    /// "Fix0", "Fix1", … as "Property|Value|Output"): CNN001 (a stride, a padding or a rounding that fits),
    /// CNN002 (the largest size or smallest padding that fits), CNN004 (set or remove Depth), and CNN006
    /// (add 'partial' to the class and its containing types).
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(NetworkCodeFixProvider))]
    [Shared]
    public sealed class NetworkCodeFixProvider : CodeFixProvider
    {
        private const string FixKey = "Fix";
        private const string AddPartialKey = "AddPartial";

        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("CNN001", "CNN002", "CNN004", "CNN006");

        /// <inheritdoc />
        public override FixAllProvider? GetFixAllProvider() => null;

        /// <inheritdoc />
        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null)
            {
                return;
            }

            foreach (Diagnostic diagnostic in context.Diagnostics)
            {
                SyntaxNode node = root.FindNode(diagnostic.Location.SourceSpan);
                if (diagnostic.Properties.ContainsKey(AddPartialKey))
                {
                    TypeDeclarationSyntax? type = node.FirstAncestorOrSelf<TypeDeclarationSyntax>();
                    if (type is not null)
                    {
                        context.RegisterCodeFix(
                            CodeAction.Create(
                                "Add 'partial' to " + type.Identifier.ValueText + " and the types containing it",
                                token => AddPartialAsync(context.Document, type, token),
                                equivalenceKey: "CnnGen.AddPartial"),
                            diagnostic);
                    }

                    continue;
                }

                AttributeSyntax? attribute = node.FirstAncestorOrSelf<AttributeSyntax>();
                if (attribute is null)
                {
                    continue;
                }

                for (int i = 0; diagnostic.Properties.TryGetValue(FixKey + i, out string? encoded) && encoded is not null; i++)
                {
                    string[] parts = encoded.Split('|');
                    if (parts.Length != 3)
                    {
                        continue;
                    }

                    string property = parts[0];
                    string? value = parts[1].Length == 0 ? null : parts[1];
                    string title = value is null
                        ? "Remove " + property
                        : "Set " + property + " = " + value + (parts[2].Length > 0 ? " (output " + parts[2] + ")" : string.Empty);
                    context.RegisterCodeFix(
                        CodeAction.Create(title, token => SetArgumentAsync(context.Document, attribute, property, value, token), equivalenceKey: "CnnGen." + title),
                        diagnostic);
                }
            }
        }

        /// <summary>Sets (or removes) a named argument, or replaces the positional window size, editing an argument already written.</summary>
        private static async Task<Document> SetArgumentAsync(Document document, AttributeSyntax attribute, string property, string? value, CancellationToken cancellationToken)
        {
            SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
            if (root is null)
            {
                return document;
            }

            AttributeArgumentListSyntax list = attribute.ArgumentList ?? SyntaxFactory.AttributeArgumentList();
            SeparatedSyntaxList<AttributeArgumentSyntax> arguments = list.Arguments;

            if (property == "Size")
            {
                // The window size is positional: Conv(filters, size) or MaxPool(size).
                string name = attribute.Name.ToString();
                int index = name.EndsWith("MaxPool", System.StringComparison.Ordinal) || name.EndsWith("MaxPoolAttribute", System.StringComparison.Ordinal) ? 0 : 1;
                var positional = arguments.Where(a => a.NameEquals is null && a.NameColon is null).ToList();
                AttributeArgumentSyntax? target = arguments.FirstOrDefault(a => a.NameColon?.Name.Identifier.ValueText == "size")
                    ?? (index < positional.Count ? positional[index] : null);
                if (target is null || value is null)
                {
                    return document;
                }

                AttributeArgumentSyntax replaced = target.WithExpression(SyntaxFactory.ParseExpression(value).WithTriviaFrom(target.Expression));
                return document.WithSyntaxRoot(root.ReplaceNode(target, replaced));
            }

            AttributeArgumentSyntax? existing = arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == property);
            SeparatedSyntaxList<AttributeArgumentSyntax> updated;
            if (value is null)
            {
                updated = existing is null ? arguments : arguments.Remove(existing);
            }
            else
            {
                AttributeArgumentSyntax argument = SyntaxFactory.AttributeArgument(
                    SyntaxFactory.NameEquals(SyntaxFactory.IdentifierName(property)),
                    null,
                    SyntaxFactory.ParseExpression(value));
                updated = existing is null
                    ? arguments.Add(argument)
                    : arguments.Replace(existing, argument.WithTriviaFrom(existing));
            }

            AttributeSyntax newAttribute = attribute.WithArgumentList(list.WithArguments(updated)).WithAdditionalAnnotations(Microsoft.CodeAnalysis.Formatting.Formatter.Annotation);
            return document.WithSyntaxRoot(root.ReplaceNode(attribute, newAttribute));
        }

        /// <summary>Adds 'partial' to the class and to every containing type that lacks it.</summary>
        private static async Task<Document> AddPartialAsync(Document document, TypeDeclarationSyntax type, CancellationToken cancellationToken)
        {
            SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
            if (root is null)
            {
                return document;
            }

            var targets = type.AncestorsAndSelf().OfType<TypeDeclarationSyntax>().Where(t => !t.Modifiers.Any(SyntaxKind.PartialKeyword)).ToList();
            SyntaxNode newRoot = root.ReplaceNodes(targets, (original, rewritten) =>
            {
                var declaration = (TypeDeclarationSyntax)rewritten;
                SyntaxToken partial = SyntaxFactory.Token(SyntaxKind.PartialKeyword).WithTrailingTrivia(SyntaxFactory.Space);
                if (declaration.Modifiers.Count == 0)
                {
                    // Keep the leading trivia (comments, attributes' line) in front of the new first token.
                    SyntaxToken keyword = declaration.Keyword;
                    return declaration
                        .WithKeyword(keyword.WithLeadingTrivia(SyntaxFactory.TriviaList()))
                        .WithModifiers(SyntaxFactory.TokenList(partial.WithLeadingTrivia(keyword.LeadingTrivia)));
                }

                return declaration.WithModifiers(declaration.Modifiers.Add(partial));
            });
            return document.WithSyntaxRoot(newRoot);
        }
    }
}
