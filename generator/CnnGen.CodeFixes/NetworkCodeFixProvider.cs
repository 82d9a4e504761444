using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CnnGen.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace CnnGen.CodeFixes
{
    /// <summary>
    /// Fixes for CnnGen's shape errors, from the choices the analyzer computed and checked against the whole network
    /// (<see cref="FixProtocol"/>): CNN001 (a stride, a padding or a rounding that fits), CNN002 (the largest size or
    /// smallest padding that fits), CNN004 (set or remove Depth), and CNN006 (add 'partial' to the class and its
    /// containing types).
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(NetworkCodeFixProvider))]
    [Shared]
    public sealed class NetworkCodeFixProvider : CodeFixProvider
    {
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
                if (FixProtocol.WantsPartial(diagnostic.Properties))
                {
                    TypeDeclarationSyntax? type = node.FirstAncestorOrSelf<TypeDeclarationSyntax>();
                    if (type is not null)
                    {
                        context.RegisterCodeFix(
                            CodeAction.Create(
                                "Add 'partial' to " + type.Identifier.ValueText + " and the types containing it",
                                token => AddPartialAsync(context.Document, type, token),
                                equivalenceKey: "CnnGen." + FixProtocol.AddPartial),
                            diagnostic);
                    }

                    continue;
                }

                AttributeSyntax? attribute = node.FirstAncestorOrSelf<AttributeSyntax>();
                if (attribute is null)
                {
                    continue;
                }

                foreach (FixProtocol.Entry fix in FixProtocol.Decode(diagnostic.Properties))
                {
                    context.RegisterCodeFix(
                        CodeAction.Create(fix.Title, token => SetArgumentAsync(context.Document, attribute, fix.Property, fix.Value, token), equivalenceKey: "CnnGen." + fix.Title),
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

            if (property == FixProtocol.Size)
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
