from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from .models import Post


def index(request):
    posts = Post.objects.filter(published__lte=timezone.now())[:20]
    return render(request, 'blog/index.html', {'posts': posts})


def detail(request, slug):
    post = get_object_or_404(Post, slug=slug, published__lte=timezone.now())
    return render(request, 'blog/detail.html', {'post': post})
