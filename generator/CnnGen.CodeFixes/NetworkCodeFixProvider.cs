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
    /// (<see cref="FixProtocol"/>): CNN001 (a stride, a padding, PaddingMode.Same or a rounding that fits, or PyTorch's
    /// rounding for the whole network on [Input]), CNN002 (the largest size or smallest padding that fits), CNN004 (set
    /// or remove Depth), CNN006 (add 'partial' to the class and its containing types), CNN011 (the nearest group count
    /// that divides), CNN012 (remove the conflicting setting), CNN013 (the missing size, square) and CNN015 (a layer
    /// reference that differs from a layer name only by case: that name). Fix All applies the
    /// same kind of fix (same property and value) to every diagnostic that offers it.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(NetworkCodeFixProvider))]
    [Shared]
    public sealed class NetworkCodeFixProvider : CodeFixProvider
    {
        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("CNN001", "CNN002", "CNN004", "CNN006", "CNN011", "CNN012", "CNN013", "CNN015");

        /// <inheritdoc />
        public override FixAllProvider? GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

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
                    if (fix.Property == FixProtocol.Reference && fix.Value is { } replacement && node.FirstAncestorOrSelf<AttributeArgumentSyntax>() is { } reference)
                    {
                        context.RegisterCodeFix(
                            CodeAction.Create(fix.Title, token => ReplaceArgumentAsync(context.Document, reference, replacement, token), equivalenceKey: "CnnGen." + fix.EquivalenceKey),
                            diagnostic);
                        continue;
                    }

                    AttributeSyntax? target = fix.OnInput ? InputAttributeOf(attribute) : attribute;
                    if (target is null)
                    {
                        continue;
                    }

                    string property = fix.OnInput ? fix.Property.Substring(FixProtocol.InputPrefix.Length) : fix.Property;
                    string[] removes = fix.Removes.Length == 0 ? new string[0] : fix.Removes.Split(',');
                    context.RegisterCodeFix(
                        CodeAction.Create(fix.Title, token => SetArgumentAsync(context.Document, target, property, fix.Value, removes, token), equivalenceKey: "CnnGen." + fix.EquivalenceKey),
                        diagnostic);
                }
            }
        }

        /// <summary>The network's [Input] attribute: the first attribute on the declaration that carries <paramref name="layer"/>.</summary>
        private static AttributeSyntax? InputAttributeOf(AttributeSyntax layer)
        {
            TypeDeclarationSyntax? type = layer.FirstAncestorOrSelf<TypeDeclarationSyntax>();
            return type?.AttributeLists.SelectMany(l => l.Attributes).FirstOrDefault(a =>
            {
                string name = a.Name is QualifiedNameSyntax q ? q.Right.Identifier.ValueText : a.Name is AliasQualifiedNameSyntax g ? g.Name.Identifier.ValueText : a.Name.ToString();
                return name is "Input" or "InputAttribute";
            });
        }

        /// <summary>
        /// Sets (or removes) a named argument, or replaces the positional window size, editing an argument already written,
        /// and removes the named arguments in <paramref name="removes"/>.
        /// </summary>
        private static async Task<Document> SetArgumentAsync(Document document, AttributeSyntax attribute, string property, string? value, string[] removes, CancellationToken cancellationToken)
        {
            SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
            if (root is null)
            {
                return document;
            }

            AttributeArgumentListSyntax list = attribute.ArgumentList ?? SyntaxFactory.AttributeArgumentList();
            SeparatedSyntaxList<AttributeArgumentSyntax> arguments = list.Arguments;
            foreach (string removed in removes)
            {
                AttributeArgumentSyntax? old = arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == removed);
                if (old is not null)
                {
                    arguments = arguments.Remove(old);
                }
            }

            if (property == FixProtocol.Size)
            {
                // The window size is positional: Conv(filters, size) or MaxPool(size).
                string name = attribute.Name.ToString();
                int index = name.EndsWith("Conv", System.StringComparison.Ordinal) || name.EndsWith("ConvAttribute", System.StringComparison.Ordinal) ? 1 : 0;
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

        /// <summary>Replaces the expression of one attribute argument (a layer reference) with <paramref name="value"/>.</summary>
        private static async Task<Document> ReplaceArgumentAsync(Document document, AttributeArgumentSyntax argument, string value, CancellationToken cancellationToken)
        {
            SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
            if (root is null)
            {
                return document;
            }

            AttributeArgumentSyntax replaced = argument.WithExpression(SyntaxFactory.ParseExpression(value).WithTriviaFrom(argument.Expression));
            return document.WithSyntaxRoot(root.ReplaceNode(argument, replaced));
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
