"""Request dependencies as ``Annotated`` aliases: handlers declare what they need."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from trialatlas.index.vectors import VectorIndex
from trialatlas.settings import Settings
from trialatlas.store.base import Store
from trialatlas.web.state import AppState
from trialatlas.web.urls import Urls


def app_state(request: Request) -> AppState:
    """The state object ``create_app`` attached to this app."""
    state: AppState = request.app.state.trialatlas
    return state


def get_store(request: Request) -> Store:
    return app_state(request).store()


def get_vector_index(request: Request) -> VectorIndex:
    return app_state(request).vector_index()


def get_settings(request: Request) -> Settings:
    return app_state(request).settings


def get_urls(request: Request) -> Urls:
    return app_state(request).urls


def get_templates(request: Request) -> Jinja2Templates:
    return app_state(request).templates


StoreDep = Annotated[Store, Depends(get_store)]
VectorIndexDep = Annotated[VectorIndex, Depends(get_vector_index)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
UrlsDep = Annotated[Urls, Depends(get_urls)]
TemplatesDep = Annotated[Jinja2Templates, Depends(get_templates)]
